"""One JSON form for every face: for the same call against the mock, the Python record and
what ``commbox`` (the CLI) prints are the same document, key for key and in the same order.
tests/c/test_same_json.c holds the C library to the CLI's output the same way, so the three
faces agree through it. Both come from the core record's serialisation (docs/json-forms.md).
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
from pathlib import Path
from typing import Any, List

import pytest
from mock_server import CHATWOOT_INBOX, DEFAULT_KEY, MockServer

import commbox

REPO = Path(__file__).resolve().parents[2]
CLI = Path(os.environ.get("COMMBOX_CLI_BIN", REPO / "target" / "debug" / "commbox"))


def cli(mock: MockServer, *args: str) -> Any:
    """What ``commbox ARGS`` prints, parsed, with the mock's URL and key."""
    if not CLI.exists():
        pytest.fail(f"{CLI} is missing: build it with `cargo build -p commbox-cli`")
    env = {"PATH": os.environ.get("PATH", ""), "COMMBOX_API_KEY": DEFAULT_KEY, "COMMBOX_BASE_URL": mock.url}
    out = subprocess.run([str(CLI), *args], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout, object_pairs_hook=list)


def as_plain(value: Any) -> Any:
    """Records (dataclasses), lists of them and enums as plain JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: as_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [as_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: as_plain(v) for k, v in value.items()}
    return value


def document(record: Any) -> Any:
    """The Python record as the JSON document it came from (enums as their integers)."""
    return json.loads(json.dumps(as_plain(record)), object_pairs_hook=list)


def without(doc: Any, key: str) -> Any:
    """`doc` with every value under `key` blanked (a value that differs between two calls).
    Objects are lists of (key, value) pairs here, arrays plain lists."""
    if isinstance(doc, list):
        return [without(item, key) for item in doc]
    if isinstance(doc, tuple) and len(doc) == 2 and isinstance(doc[0], str):
        return (doc[0], None if doc[0] == key else without(doc[1], key))
    return doc


def same(python: Any, printed: Any, differs: str = "") -> None:
    # object_pairs_hook=list keeps the key order, so this also compares the order.
    mine = document(python)
    if differs:
        mine, printed = without(mine, differs), without(printed, differs)
    assert mine == printed


def test_commbox_records_are_the_same_document(client: commbox.Client, mock: MockServer) -> None:
    stream = "chat=="
    conversation = client.create_chat_conversation(stream, "john@example.com", "Hello")
    client.create_message(stream, conversation, commbox.NewMessage.from_customer("john@example.com", "More"))

    same(client.get_conversation(stream, conversation), cli(mock, "get", "--stream", stream, "--object", str(conversation)))
    managers: List[Any] = list(client.managers())
    assert managers, "the mock seeds agents"
    same(managers, cli(mock, "managers"))
    # Two calls: the server's clock differs, everything else is the same.
    same(client.system_status(), cli(mock, "system-status"), differs="response_time")


def test_chatwoot_records_are_the_same_document(inbox: commbox.InboxClient, mock: MockServer) -> None:
    contact = inbox.create_contact(source_id="crm-same-json", name="John Doe", email="john@example.com")
    assert contact.source_id == "crm-same-json"
    url = ["--url", mock.url, "--inbox", CHATWOOT_INBOX]
    same(inbox.get_contact(contact), cli(mock, "chatwoot", *url, "contact-get", "--contact", "crm-same-json"))
    conversation = inbox.create_conversation(contact)
    inbox.create_message(contact, conversation.id, "Hi")
    same(
        inbox.list_messages(contact, conversation.id),
        cli(mock, "chatwoot", *url, "message-list", "--contact", "crm-same-json", "--conversation", str(conversation.id)),
    )
    same(inbox.inbox(), cli(mock, "chatwoot", *url, "inbox"))
