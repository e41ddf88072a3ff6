#!/usr/bin/env python3
"""Open a chat conversation from asyncio, and post three messages concurrently (native async
calls on one runtime thread, however many run at once).

    COMMBOX_API_KEY=... COMMBOX_STREAM=... python examples/python/open_chat.py
"""

from __future__ import annotations

import asyncio
import os
import sys

import commbox


async def main() -> int:
    stream = os.environ.get("COMMBOX_STREAM", "hNyRN_fLUy7rrOrN9jLpipA==")
    async with commbox.AsyncClient() as client:
        conversation = await client.create_conversation(
            stream, commbox.ChatConversation("visitor@example.com", "Hello from the website")
        )
        print(f"opened chat conversation {conversation}")
        messages = await asyncio.gather(
            *(
                client.create_customer_message(stream, conversation, "visitor@example.com", text)
                for text in ("Is anyone there?", "I have a question about delivery.", "Order A-1001.")
            )
        )
        print(f"posted messages {sorted(messages)}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(asyncio.run(main()))
    except commbox.CommboxError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(1)
