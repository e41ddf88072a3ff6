#!/usr/bin/env bash
# From a shell, against the mock: the CommBox flow (an e-mail conversation with an attachment,
# an agent's reply, what the server stored), then the Chatwoot / Omnivibe flow (a contact, a
# conversation, a message with a file, the messages, resolve).
#
#   examples/shell/demo.sh                 # uses target/debug/commbox and commbox-mock
#   COMMBOX_BIN=commbox COMMBOX_MOCK_BIN=commbox-mock examples/shell/demo.sh
#
# Against the real API, drop the mock part and export COMMBOX_API_KEY (and a real stream id).
set -euo pipefail

bin=${COMMBOX_BIN:-target/debug/commbox}
mock_bin=${COMMBOX_MOCK_BIN:-target/debug/commbox-mock}
stream=${DEMO_STREAM:-hNyRN_fLUy7rrOrN9jLpipA==}
work=$(mktemp -d)
export COMMBOX_API_KEY=demo-key

# Start the mock on a free port; it prints its URL as its first line.
"$mock_bin" --port 0 --api-key "$COMMBOX_API_KEY" >"$work/mock.out" &
mock_pid=$!
trap 'kill "$mock_pid" 2>/dev/null; wait "$mock_pid" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do
  [ -s "$work/mock.out" ] && break
  sleep 0.05
done
COMMBOX_BASE_URL=$(head -n1 "$work/mock.out")
export COMMBOX_BASE_URL
echo "== mock CommBox API at $COMMBOX_BASE_URL"

# The first "id" anywhere in a JSON document, and the top-level "id" of a pretty-printed
# object (keeps the demo free of jq).
first_id() { sed -n 's/^ *"id": *\([0-9][0-9]*\).*/\1/p' | head -n1; }
top_id() { sed -n 's/^  "id": *\([0-9][0-9]*\).*/\1/p' | head -n1; }

printf 'Invoice 2024-09\nTotal: 120.00 EUR\n' >"$work/invoice.txt"

echo "== 1. open an e-mail conversation with an attachment"
conversation=$("$bin" email --stream "$stream" \
  --identity customer@example.com --subject "Your invoice for September" \
  --to "John Doe <customer@example.com>" \
  --message "Please find your invoice attached." \
  --attach "$work/invoice.txt" \
  --user-first-name John --user-last-name Doe --user-email customer@example.com)
echo "$conversation"
object=$(printf '%s\n' "$conversation" | top_id)

echo "== 2. find an agent and reply on their behalf"
agent=$("$bin" managers | first_id)
"$bin" message --stream "$stream" --object "$object" \
  --agent "$agent" --identity best.agent@commbox.com \
  --message "Hi John, any questions about the invoice? Just reply to this e-mail."

echo "== 3. the conversation: its record (the same JSON in every face; raw is what the API sent)"
"$bin" get --stream "$stream" --object "$object"

echo "== 4. what the mock stored (attachments by size and SHA-256)"
"$bin" raw GET /__mock/objects

echo "== 5. Chatwoot / Omnivibe: a contact opens a conversation and sends a file"
export CHATWOOT_BASE_URL="$COMMBOX_BASE_URL" CHATWOOT_INBOX_IDENTIFIER=mock-inbox
"$bin" chatwoot contact-create --source-id demo-contact --name "John Doe" \
  --email john@example.com --phone +972541234567
conversation=$("$bin" chatwoot conversation-create --contact demo-contact --attr order='"A-1001"')
conv_id=$(printf '%s\n' "$conversation" | top_id)
printf 'Order A-1001: paid\n' >"$work/receipt.txt"
"$bin" chatwoot message-create --contact demo-contact --conversation "$conv_id" \
  --message "Hi! My receipt is attached." --attach "$work/receipt.txt"

echo "== 6. the conversation's messages, then resolve it"
"$bin" chatwoot message-list --contact demo-contact --conversation "$conv_id"
# awk reads the whole answer: `grep -m1` would close the pipe while commbox still writes.
"$bin" chatwoot resolve --contact demo-contact --conversation "$conv_id" | awk '/"status"/ && !n++'

echo "== 7. bulk: six requests, one per JSON line, sent 3 at a time; a JSON line per result"
{
  for phone in +972541111111 +972542222222 +972543333333; do
    printf '{"op":"commbox.conversation","stream":"%s","request":{"channel":"sms","identity":"%s","message":"Your order has shipped"}}\n' "$stream" "$phone"
  done
  printf '{"op":"commbox.message","stream":"%s","conversation":%s,"request":{"identity":"customer@example.com","message":"Got it, thanks"}}\n' "$stream" "$object"
  printf '{"op":"commbox.message","stream":"%s","conversation":%s,"request":{"identity":"customer@example.com","message":""}}\n' "$stream" "$object"
  printf '{"op":"chatwoot.message","contact":"demo-contact","conversation":%s,"request":{"content":"One more question"}}\n' "$conv_id"
} >"$work/batch.jsonl"
status=0
"$bin" batch "$work/batch.jsonl" --concurrency 3 --journal "$work/batch.journal" || status=$?
echo "exit code $status (14: some lines failed; line 5 has no text)"
echo "== 8. the same batch again with its journal: nothing is sent twice"
"$bin" batch "$work/batch.jsonl" --journal "$work/batch.journal" || true
