#!/usr/bin/env python3
"""Talk to a Chatwoot (or Omnivibe) API-channel inbox as a contact: create the contact, open
a conversation, send a message with a file, read the conversation back, and resolve it.

    export CHATWOOT_BASE_URL=https://app.chatwoot.com     # the installation
    export CHATWOOT_INBOX_IDENTIFIER=...                  # Settings > Inboxes > Configuration
    export CHATWOOT_HMAC_TOKEN=...                        # only if identity validation is on
    python examples/python/chatwoot_inbox.py

No API key is needed: the inbox identifier and the contact's source_id are the access
control, so keep them private (the `commbox` logger shows them as {inbox} and {contact}).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import commbox


def main() -> int:
    base_url = os.environ["CHATWOOT_BASE_URL"]
    inbox_identifier = os.environ["CHATWOOT_INBOX_IDENTIFIER"]
    hmac_token = os.environ.get("CHATWOOT_HMAC_TOKEN")

    with commbox.InboxClient(base_url, inbox_identifier) as inbox:
        settings = inbox.inbox()
        print(f"inbox {settings.name!r} (identity validation {'on' if settings.identity_validation_enabled else 'off'})")

        if settings.identity_validation_enabled and not hmac_token:
            print("error: this inbox validates identities: set CHATWOOT_HMAC_TOKEN", file=sys.stderr)
            return 1
        # source_id is your id for the contact: creating again with it returns the same one.
        # With the inbox's HMAC token, identifier_hash is computed here (the token is not sent).
        contact = inbox.create_contact(
            source_id="example-user-1001",
            identifier="user-1001" if hmac_token else None,
            hmac_token=hmac_token,
            name="John Doe",
            email="john.doe@example.com",
            phone_number="+972541234567",  # E.164, with the '+'
            custom_attributes={"plan": "gold"},
        )
        print(f"contact {contact.id} {contact.name}")

        conversation = inbox.create_conversation(contact, {"order": "A-1001"})
        print(f"conversation {conversation.id} is {conversation.status}")

        inbox.set_typing(contact, conversation.id, True)
        with tempfile.TemporaryDirectory() as work:
            receipt = Path(work) / "receipt.txt"
            receipt.write_text("Order A-1001\nPaid: 120.00 EUR\n")
            message = inbox.create_message(
                contact,
                conversation.id,
                "Hello! My order A-1001 has not arrived yet; the receipt is attached.",
                attachments=[receipt],  # streamed from disk; at most 15 files
            )
        inbox.set_typing(contact, conversation.id, False)
        files = ", ".join(f"{a.file_type} .{a.extension}" for a in message.attachments)
        print(f"sent message {message.id} ({message.message_type!r}) with {files}")

        inbox.update_last_seen(contact, conversation.id)
        for shown in inbox.list_messages(contact, conversation.id):
            who = "me" if shown.message_type == commbox.MessageType.INCOMING else "agent"
            print(f"  [{who}] {shown.content}")

        resolved = inbox.resolve_conversation(contact, conversation.id)
        print(f"conversation {resolved.id} is {resolved.status}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyError as e:
        print(f"error: set {e.args[0]}", file=sys.stderr)
        sys.exit(2)
    except commbox.CommboxError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(1)
