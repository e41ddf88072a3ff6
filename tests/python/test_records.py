"""Every record is the core's JSON form of it: the document the C library returns and the CLI
prints for the same call (docs/schemas/), with enums and nested records typed."""

from __future__ import annotations

import dataclasses
import json
from typing import Any, Dict, List, Tuple, Type

import pytest
from mock_server import REPO, STREAM, MockServer

import commbox
from commbox import MessageType, ObjectType, StreamProviderType

RECORDS: List[Type[Any]] = [
    commbox.Conversation,
    commbox.ConversationMessage,
    commbox.Manager,
    commbox.SystemStatus,
    commbox.Envelope,
    commbox.Inbox,
    commbox.Contact,
    commbox.ChatwootConversation,
    commbox.ChatwootMessage,
    commbox.MessageAttachment,
]


@pytest.mark.parametrize("record", RECORDS, ids=[r.__name__ for r in RECORDS])
def test_each_record_has_the_keys_of_its_json_form_in_order(record: Type[Any]) -> None:
    schema = json.loads((REPO / "docs" / "schemas" / f"{record.__name__}.json").read_text())
    assert [f.name for f in dataclasses.fields(record)] == schema["required"]


def documents(client: commbox.Client, inbox: commbox.InboxClient, mock: MockServer) -> List[Tuple[Type[Any], Any]]:
    """(record class, the native call's document) for every kind of record, with every
    optional part present: messages, attachments, enums."""
    object_id = client.create_email_conversation(STREAM, "a@b.co", "Subject", "First")
    agent = client.managers()[0].id
    client.create_agent_message(STREAM, object_id, agent, "best.agent@commbox.com", "Reply")
    contact = inbox.create_contact(name="John Doe")
    assert contact.source_id is not None
    source_id = contact.source_id
    conversation_id = inbox.create_conversation(contact).id
    inbox.create_message(contact, conversation_id, "with a file", attachments=[("a.txt", b"x")])
    native = client._native
    chatwoot = inbox._native
    return [
        (commbox.Conversation, native.get_conversation(STREAM, object_id)),
        (commbox.Manager, native.managers()[0]),
        (commbox.SystemStatus, native.system_status()),
        (commbox.Envelope, native.raw_request("GET", "/managers")),
        (commbox.Inbox, chatwoot.inbox()),
        (commbox.Contact, chatwoot.get_contact(source_id)),
        (commbox.ChatwootConversation, chatwoot.get_conversation(source_id, conversation_id)),
        (commbox.ChatwootMessage, chatwoot.list_messages(source_id, conversation_id)[-1]),
    ]


def test_a_record_holds_exactly_its_document(
    client: commbox.Client, inbox: commbox.InboxClient, mock: MockServer
) -> None:
    for cls, document in documents(client, inbox, mock):
        record = cls._from_native(document)
        assert dataclasses.asdict(record) == document, cls.__name__


def test_enums_and_nested_records_are_typed(
    client: commbox.Client, inbox: commbox.InboxClient, mock: MockServer
) -> None:
    found: Dict[str, Any] = {cls.__name__: cls._from_native(doc) for cls, doc in documents(client, inbox, mock)}
    conversation: commbox.Conversation = found["Conversation"]
    assert conversation.object_type is ObjectType.MAIL
    reply = conversation.messages[-1]
    assert isinstance(reply, commbox.ConversationMessage)
    assert reply.object_type is ObjectType.CONVERSATION
    assert reply.stream_provider_type is None or isinstance(reply.stream_provider_type, StreamProviderType)
    chat: commbox.ChatwootConversation = found["ChatwootConversation"]
    message = chat.messages[-1]
    assert isinstance(message, commbox.ChatwootMessage) and message.message_type is MessageType.INCOMING
    (attachment,) = message.attachments
    assert isinstance(attachment, commbox.MessageAttachment) and attachment.file_size == 1
    envelope: commbox.Envelope = found["Envelope"]
    assert envelope.raw["data"] == envelope.data
    status: commbox.SystemStatus = found["SystemStatus"]
    assert status.raw["description"] == status.description


def test_unknown_enum_values_survive(client: commbox.Client, mock: MockServer) -> None:
    object_id = client.create_sms_conversation(STREAM, "972544444444", "m", object_type=99)
    unknown = client.get_conversation(STREAM, object_id).object_type
    assert unknown == 99 and isinstance(unknown, ObjectType) and not unknown.is_known
