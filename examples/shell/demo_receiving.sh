#!/usr/bin/env bash
# Two-way, from a shell, against the mock: a contact sends a message (with an echo id),
# the agent replies; the reply arrives live over Chatwoot's cable (`commbox chatwoot
# listen`, after the contact's own message came back with its echo id) and, signed, at a
# webhook receiver (`commbox webhooks serve`), which spools it before answering.
#
#   examples/shell/demo_receiving.sh     # uses target/debug/commbox and commbox-mock
set -euo pipefail

bin=${COMMBOX_BIN:-target/debug/commbox}
mock_bin=${COMMBOX_MOCK_BIN:-target/debug/commbox-mock}
work=$(mktemp -d)
export COMMBOX_API_KEY=demo-key
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The fields of a JSON line worth showing here (keeps the demo free of jq).
fields() { grep -o '"\(id\|platform\|kind\|echo_id\|content\|message_type\)":\("[^"]*"\|[0-9]*\)' | head -n "${1:-6}" | paste -sd' ' -; }

# Waits until FILE has a line matching PATTERN (10 s at most) and prints that line.
wait_for() {
  for _ in $(seq 200); do
    if grep -m1 -- "$2" "$1" 2>/dev/null; then return 0; fi
    sleep 0.05
  done
  echo "timed out waiting for $2 in $1:" >&2
  cat "$1" >&2
  return 1
}

"$mock_bin" --port 0 --api-key "$COMMBOX_API_KEY" >"$work/mock.out" &
pids+=($!)
url=$(wait_for "$work/mock.out" '^http')
export COMMBOX_BASE_URL=$url CHATWOOT_BASE_URL=$url CHATWOOT_INBOX_IDENTIFIER=mock-inbox
echo "== mock at $url"

echo "== 1. a webhook receiver for Chatwoot, subscribed at the mock with a signing secret"
"$bin" webhooks serve --port 0 --spool "$work/spool" --chatwoot-secret demo-secret \
  >"$work/received.jsonl" 2>"$work/serve.err" &
pids+=($!)
receiver=$(wait_for "$work/serve.err" 'http://' | grep -o 'http://[0-9.:]*')
echo "receiver at $receiver"
"$bin" raw POST /__mock/webhooks \
  --data "{\"platform\": \"chatwoot\", \"url\": \"$receiver/chatwoot\", \"secret\": \"demo-secret\"}" >/dev/null

echo "== 2. a contact and a conversation; the contact's live events, as JSON lines"
"$bin" chatwoot contact-create --source-id live-demo --name "Dana" >/dev/null
conversation=$("$bin" chatwoot conversation-create --contact live-demo)
conv_id=$(printf '%s\n' "$conversation" | sed -n 's/^  "id": *\([0-9][0-9]*\).*/\1/p' | head -n1)
"$bin" chatwoot listen --contact live-demo >"$work/live.jsonl" 2>"$work/listen.err" &
pids+=($!)

echo "== 3. the contact writes (echo id demo-N) until it comes back over the cable"
for attempt in 1 2 3 4 5; do
  "$bin" chatwoot message-create --contact live-demo --conversation "$conv_id" \
    --message "When will my order arrive?" --echo-id "demo-$attempt" >/dev/null
  if echo_line=$(wait_for "$work/live.jsonl" "\"echo_id\":\"demo-$attempt\"" 2>/dev/null); then
    echo "came back over the cable: $(printf '%s' "$echo_line" | fields 3)" \
      "$(printf '%s' "$echo_line" | grep -o '"echo_id":"[^"]*"' | head -n1)"
    break
  fi
done

echo "== 4. the agent replies (injected at the mock)"
"$bin" raw POST /__mock/chatwoot/agent_reply \
  --data "{\"conversation_id\": $conv_id, \"content\": \"Tomorrow before noon.\"}" >/dev/null

echo "== 5. the reply, live over the cable"
wait_for "$work/live.jsonl" 'Tomorrow before noon' | fields 5
echo "== 6. the same reply at the webhook receiver (signature verified, spooled, with its delivery id)"
wait_for "$work/received.jsonl" 'Tomorrow before noon' | fields 6
