#!/usr/bin/env bash
# Runs a command against a fresh mock server: starts target/debug/commbox-mock on a free
# port, exports COMMBOX_BASE_URL and COMMBOX_API_KEY, runs the command, stops the mock and
# exits with the command's status. CHATWOOT_BASE_URL and CHATWOOT_INBOX_IDENTIFIER point at
# the mock's seeded Chatwoot inbox.
#
#   tests/with-mock.sh ./my-test arg...
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
mock=${COMMBOX_MOCK_BIN:-$here/target/debug/commbox-mock}
key=${COMMBOX_MOCK_KEY:-mock-api-key}
out=$(mktemp)
"$mock" --port 0 --api-key "$key" >"$out" &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$out"; }
trap cleanup EXIT
for _ in $(seq 200); do
  [ -s "$out" ] && break
  kill -0 "$pid" 2>/dev/null || { echo "with-mock: the mock did not start" >&2; exit 1; }
  sleep 0.05
done
COMMBOX_BASE_URL=$(head -n1 "$out")
export COMMBOX_BASE_URL COMMBOX_API_KEY="$key"
# The mock also serves the Chatwoot public API, with a seeded inbox.
export CHATWOOT_BASE_URL="$COMMBOX_BASE_URL"
export CHATWOOT_INBOX_IDENTIFIER="${CHATWOOT_INBOX_IDENTIFIER:-mock-inbox}"
set +e
"$@"
status=$?
exit "$status"
