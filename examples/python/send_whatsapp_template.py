#!/usr/bin/env python3
"""Open a WhatsApp conversation with an approved template (HSM) message.

    COMMBOX_API_KEY=... COMMBOX_STREAM=... python examples/python/send_whatsapp_template.py
"""

from __future__ import annotations

import os
import sys

import commbox


def main() -> int:
    stream = os.environ.get("COMMBOX_STREAM", "hNyRN_fLUy7rrOrN9jLpipA==")
    with commbox.Client() as client:
        conversation = client.create_whatsapp_template_conversation(
            stream,
            "972544444444",
            "order_ready",  # the template's name, as approved by WhatsApp
            "Your order A-1001 is ready for pickup",
            params=["A-1001"],
            language="en",
        )
        print(f"sent WhatsApp template, conversation {conversation}")
        client.set_conversation_status(conversation, commbox.ObjectStatusType.RESOLVED)
        print(f"conversation {conversation} marked resolved")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except commbox.CommboxError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(1)
