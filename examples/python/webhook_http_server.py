"""Receive CommBox and Chatwoot webhooks with the standard library's http.server.

    CHATWOOT_WEBHOOK_SECRET=... COMMBOX_WEBHOOK_PATH_SECRET=... python webhook_http_server.py

- ``POST /commbox/<COMMBOX_WEBHOOK_PATH_SECRET>``: CommBox deliveries (XML or JSON). CommBox
  signs nothing, so the URL you register in CommBox's console carries a secret of your own.
- ``POST /chatwoot``: Chatwoot deliveries, verified with the webhook's secret
  (``X-Chatwoot-Signature``, timestamp within 5 minutes); a repeat of a delivery id already
  kept is acknowledged and dropped.

Each event is appended as one JSON line to ``EVENTS_FILE`` (default ``events.jsonl``) and
flushed to disk *before* the answer 2xx: neither platform retries an acknowledged delivery,
so an event must be kept before it is acknowledged. A body over ``MAX_DELIVERY_BYTES`` is
answered 413 without being read; an unreadable body 400; a forged or stale signature 401.
``PORT`` (default 8080; 0 picks a free one) and ``HOST`` (default 127.0.0.1) say where to
listen: put it behind your HTTPS reverse proxy.
"""

from __future__ import annotations

import dataclasses
import hmac
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Set

import commbox
from commbox import webhooks

COMMBOX_PATH = "/commbox/" + os.environ.get("COMMBOX_WEBHOOK_PATH_SECRET", "")
CHATWOOT_SECRET = os.environ.get("CHATWOOT_WEBHOOK_SECRET", "")
EVENTS_FILE = os.environ.get("EVENTS_FILE", "events.jsonl")

_lock = threading.Lock()
_seen: Set[str] = set()  # Chatwoot delivery ids already kept (load them from your store)


def keep(record: Dict[str, Any]) -> bool:
    """Appends the event to the events file and syncs it; False when its delivery id was
    kept before (a retry)."""
    delivery_id = record.get("delivery_id")
    with _lock:
        if delivery_id is not None and delivery_id in _seen:
            return False
        with open(EVENTS_FILE, "a", encoding="utf-8") as out:
            out.write(json.dumps(record) + "\n")
            out.flush()
            os.fsync(out.fileno())
        if delivery_id is not None:
            _seen.add(delivery_id)
    return True


class WebhookHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        declared = self.headers.get("Content-Length", "")
        if not declared.isdigit():
            self.answer(411, "a body with its Content-Length")
            return
        length = int(declared)
        if length > webhooks.MAX_DELIVERY_BYTES:
            self.answer(413, f"a body of at most {webhooks.MAX_DELIVERY_BYTES} bytes")
            return
        body = self.rfile.read(length)
        try:
            if COMMBOX_PATH != "/commbox/" and hmac.compare_digest(self.path, COMMBOX_PATH):
                event = webhooks.parse_commbox_delivery(body, self.headers.get("Content-Type"))
                keep({"source": "commbox", "event": dataclasses.asdict(event)})
            elif self.path == "/chatwoot" and CHATWOOT_SECRET:
                delivery = webhooks.verify_chatwoot(body, self.headers, CHATWOOT_SECRET)
                record = dataclasses.asdict(delivery)
                record["source"] = "chatwoot"
                record["agent_public_reply"] = delivery.event.is_agent_public_reply()
                keep(record)
            else:
                self.answer(404, "no such webhook")
                return
        except commbox.AuthenticationError as e:
            self.answer(401, str(e))
            return
        except commbox.DecodeError as e:
            self.answer(400, str(e))
            return
        self.answer(200, "ok")

    def answer(self, status: int, text: str) -> None:
        data = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        sys.stderr.write("%s %s\n" % (self.address_string(), format % args))


def main() -> None:
    server = ThreadingHTTPServer((os.environ.get("HOST", "127.0.0.1"), int(os.environ.get("PORT", "8080"))), WebhookHandler)
    host, port = server.server_address[:2]
    print(f"listening on http://{host!s}:{port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
