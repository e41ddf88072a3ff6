"""Receive CommBox and Chatwoot webhooks in a Flask app.

    pip install flask
    CHATWOOT_WEBHOOK_SECRET=... COMMBOX_WEBHOOK_PATH_SECRET=... python webhook_flask.py

(or ``flask --app webhook_flask run``). The same routes as webhook_http_server.py:
``POST /commbox/<secret>`` for CommBox (which signs nothing: the secret in the path is
yours) and ``POST /chatwoot`` for Chatwoot (verified with the webhook's secret). Each event
is appended to ``EVENTS_FILE`` and synced to disk before the answer 2xx; a Chatwoot delivery
id kept before is acknowledged and dropped. Bodies over ``MAX_DELIVERY_BYTES`` are refused
by Flask (413) before they are read.
"""

from __future__ import annotations

import dataclasses
import hmac
import json
import os
import threading
from typing import Any, Dict, Set, Tuple

from flask import Flask, request

import commbox
from commbox import webhooks

COMMBOX_PATH_SECRET = os.environ.get("COMMBOX_WEBHOOK_PATH_SECRET", "")
CHATWOOT_SECRET = os.environ.get("CHATWOOT_WEBHOOK_SECRET", "")
EVENTS_FILE = os.environ.get("EVENTS_FILE", "events.jsonl")

app = Flask(__name__)
app.config["MAX_CONTENT_LENGTH"] = webhooks.MAX_DELIVERY_BYTES

_lock = threading.Lock()
_seen: Set[str] = set()  # Chatwoot delivery ids already kept (load them from your store)


def keep(record: Dict[str, Any]) -> None:
    """Appends the event to the events file and syncs it, unless its delivery id was kept
    before (a retry)."""
    delivery_id = record.get("delivery_id")
    with _lock:
        if delivery_id is not None and delivery_id in _seen:
            return
        with open(EVENTS_FILE, "a", encoding="utf-8") as out:
            out.write(json.dumps(record) + "\n")
            out.flush()
            os.fsync(out.fileno())
        if delivery_id is not None:
            _seen.add(delivery_id)


@app.post("/commbox/<secret>")
def commbox_webhook(secret: str) -> Tuple[str, int]:
    if not COMMBOX_PATH_SECRET or not hmac.compare_digest(secret, COMMBOX_PATH_SECRET):
        return "no such webhook", 404
    event = webhooks.parse_commbox_delivery(request.get_data(), request.headers.get("Content-Type"))
    keep({"source": "commbox", "event": dataclasses.asdict(event)})
    return "ok", 200


@app.post("/chatwoot")
def chatwoot_webhook() -> Tuple[str, int]:
    # The raw bytes as received: never request.json, which would be re-serialised.
    delivery = webhooks.verify_chatwoot(request.get_data(), request.headers, CHATWOOT_SECRET)
    record = dataclasses.asdict(delivery)
    record["source"] = "chatwoot"
    record["agent_public_reply"] = delivery.event.is_agent_public_reply()
    keep(record)
    return "ok", 200


@app.errorhandler(commbox.AuthenticationError)
def unauthenticated(e: commbox.AuthenticationError) -> Tuple[str, int]:
    return str(e), 401


@app.errorhandler(commbox.DecodeError)
def unreadable(e: commbox.DecodeError) -> Tuple[str, int]:
    return str(e), 400


@app.errorhandler(commbox.ValidationError)
def not_configured(e: commbox.ValidationError) -> Tuple[str, int]:
    # CHATWOOT_WEBHOOK_SECRET unset: refuse rather than accept unverified deliveries.
    app.logger.error("webhook receiver misconfigured: %s", e)
    return "not configured", 503


if __name__ == "__main__":
    from werkzeug.serving import make_server

    server = make_server(os.environ.get("HOST", "127.0.0.1"), int(os.environ.get("PORT", "8080")), app, threaded=True)
    print(f"listening on http://{server.host}:{server.server_port}", flush=True)
    server.serve_forever()
