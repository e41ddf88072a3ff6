#!/usr/bin/env python3
"""Open an e-mail conversation with an attachment, reply as an agent, and show the result.

    export COMMBOX_API_KEY=...            # and COMMBOX_BASE_URL for the mock
    export COMMBOX_STREAM=...             # the e-mail channel's stream id
    python examples/python/send_email.py

`make demo-python` runs it against the mock.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import commbox


def main() -> int:
    stream = os.environ.get("COMMBOX_STREAM", "hNyRN_fLUy7rrOrN9jLpipA==")
    with tempfile.TemporaryDirectory() as work:
        invoice = Path(work) / "invoice.txt"
        invoice.write_text("Invoice 2024-09\nTotal: 120.00 EUR\n")

        # COMMBOX_API_KEY, COMMBOX_BASE_URL, COMMBOX_TIMEOUT, ... fill what is not passed.
        with commbox.Client() as client:
            conversation = client.create_conversation(
                stream,
                commbox.EmailConversation(
                    "customer@example.com",
                    "Your invoice for September",
                    "Please find your invoice attached.",
                    to=[("customer@example.com", "John Doe")],
                    attachments=[invoice],  # streamed from disk
                    user=commbox.User(first_name="John", last_name="Doe", email="customer@example.com"),
                ),
            )
            print(f"opened e-mail conversation {conversation}")

            agent = client.managers()[0]
            reply = client.create_agent_message(
                stream,
                conversation,
                agent.id,
                agent.email or "agent@example.com",
                "Hi John, any questions about the invoice? Just reply to this e-mail.",
            )
            print(f"agent {agent.first_name} {agent.last_name} replied: message {reply}")

            shown = client.get_conversation(stream, conversation)
            print(f"conversation {shown.id}: {shown.object_type!r}, {len(shown.messages)} message(s)")
            for message in shown.messages:
                who = "agent" if message.is_manager else "customer"
                print(f"  [{who}] {message.message}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except commbox.CommboxError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(1)
