#!/usr/bin/env python3
"""Send one SMS to several recipients.

    COMMBOX_API_KEY=... COMMBOX_STREAM=... python examples/python/send_bulk_sms.py
"""

from __future__ import annotations

import os
import sys

import commbox


def main() -> int:
    stream = os.environ.get("COMMBOX_STREAM", "hNyRN_fLUy7rrOrN9jLpipA==")
    recipients = ["972522222222", "+972533333333"]
    with commbox.Client() as client:
        conversation = client.create_conversation(
            stream,
            commbox.BulkSmsConversation("972544444444", "The store closes at 6 today", recipients=recipients),
        )
        print(f"sent one SMS to {len(recipients)} recipients, conversation {conversation}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except commbox.CommboxError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(1)
