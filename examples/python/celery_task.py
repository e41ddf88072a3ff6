#!/usr/bin/env python3
"""Send SMS from a Celery task, retrying only when a retry cannot send it twice.

Neither CommBox nor Chatwoot de-duplicates: a create that the server processed and that is
sent again exists twice. Every commbox error says which case it is (``retry_safety``):

- ``"safe"``: nothing reached the server, or the server said it did not process the request
  (429, 503, a refused connection). The task hands it back to Celery (``self.retry``) when a
  later attempt may succeed, and reports it refused when it would only fail again (a
  validation error, a 400, a wrong key).
- ``"may_duplicate"``: the request may have been processed (a timeout or a broken connection
  after sending, a 500). The task does not retry: it ends with the outcome
  ``"may have been processed"`` and logs what a person needs to check it in CommBox (the
  request id, the customer, the text).

Run it as a worker of your own broker:

    COMMBOX_API_KEY=... COMMBOX_STREAM=... CELERY_BROKER_URL=redis://localhost \\
        celery -A celery_task worker          # from examples/python

    >>> from celery_task import send_sms
    >>> send_sms.delay("972544444444", "Your order has shipped").get()

or, to try it without a broker, run this file: it executes one task in-process (Celery's
eager mode) and prints its outcome.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any, Dict, Optional

from celery import Celery, Task

import commbox

app = Celery("commbox_example", broker=os.environ.get("CELERY_BROKER_URL", "memory://localhost/"))
log = logging.getLogger("commbox_example")

# What the task returns (a JSON document, so any result backend can keep it).
SENT = "sent"
MAY_HAVE_BEEN_PROCESSED = "may have been processed"
REFUSED = "refused"

# Failures that another attempt may get past; the rest (validation, 400, 401, 404, TLS) fail
# the same way every time.
TRANSIENT = (commbox.RateLimitError, commbox.ServerError, commbox.TimeoutError, commbox.ConnectionError)

_client: Optional[commbox.Client] = None


def client() -> commbox.Client:
    """One client per worker process, made on first use (after a prefork worker forked),
    from COMMBOX_API_KEY and COMMBOX_BASE_URL."""
    global _client
    if _client is None:
        _client = commbox.Client()
    return _client


@app.task(bind=True, max_retries=8)
def send_sms(self: Task[Any, Any], phone: str, text: str) -> Dict[str, Any]:
    """Opens an SMS conversation with ``phone``. Returns ``{"outcome": "sent",
    "conversation": id}``, or ``{"outcome": "may have been processed", ...}`` for a person to
    check, or ``{"outcome": "refused", ...}``; raises the last error when Celery's retries
    run out on failures that were all safe (nothing was sent: it may be queued again)."""
    stream = os.environ.get("COMMBOX_STREAM", "hNyRN_fLUy7rrOrN9jLpipA==")
    try:
        conversation = client().create_sms_conversation(stream, phone, text)
    except commbox.CommboxError as e:
        if e.may_duplicate:
            # Sending it again could text the customer twice: a person decides.
            log.warning(
                "SMS to %s may have been processed; check CommBox before sending it again "
                "(request id %s): %s",
                phone,
                e.request_id,
                e.message,
            )
            return {
                "outcome": MAY_HAVE_BEEN_PROCESSED,
                "phone": phone,
                "text": text,
                "request_id": e.request_id,
                "error": e.message,
            }
        if isinstance(e, TRANSIENT):
            # Safe and may work later: wait as long as the server asked, else back off.
            delay = e.retry_after if isinstance(e, commbox.RateLimitError) and e.retry_after else 2**self.request.retries
            raise self.retry(exc=e, countdown=delay)
        return {"outcome": REFUSED, "phone": phone, "text": text, "error": e.message}
    return {"outcome": SENT, "conversation": conversation}


def main() -> int:
    # No broker needed to try it: run the task in this process.
    app.conf.task_always_eager = True
    result = send_sms.delay("972544444444", "Your order #1042 has shipped")
    outcome: Dict[str, Any] = result.get()
    print(f"task {result.id}: {outcome}")
    return 0 if outcome["outcome"] == SENT else 1


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    sys.exit(main())
