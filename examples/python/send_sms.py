#!/usr/bin/env python3
"""Open an SMS conversation with a customer, then add the customer's answer.

    COMMBOX_API_KEY=... COMMBOX_STREAM=... python examples/python/send_sms.py
"""

from __future__ import annotations

import os
import sys

import commbox


def main() -> int:
    stream = os.environ.get("COMMBOX_STREAM", "hNyRN_fLUy7rrOrN9jLpipA==")
    with commbox.Client() as client:
        # Keyword form; the number is normalised by the library (the + is dropped).
        conversation = client.create_sms_conversation(
            stream, "+972544444444", "Your verification code is 1234", status=commbox.ObjectStatusType.SENT
        )
        print(f"sent SMS, conversation {conversation}")
        answer = client.create_customer_message(stream, conversation, "972544444444", "Thanks, got it")
        print(f"customer's answer stored as message {answer}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except commbox.CommboxError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(1)
