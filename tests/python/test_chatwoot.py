"""The Chatwoot / Omnivibe inbox client against the mock: the whole lifecycle of a contact's
conversation, and the real server's behaviour where it differs from its swagger (source_id
reuse, merge on update, single-conversation inboxes, HMAC identity validation)."""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path
from typing import Any, Dict, List

import pytest
from mock_server import (
    CHATWOOT_HMAC_INBOX,
    CHATWOOT_HMAC_TOKEN,
    CHATWOOT_INBOX,
    CHATWOOT_SINGLE_INBOX,
    MockServer,
)

import commbox
from commbox import MessageType


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def last_request(mock: MockServer) -> Dict[str, Any]:
    request: Dict[str, Any] = mock.requests()[-1]
    return request


def test_lifecycle(inbox: commbox.InboxClient, mock: MockServer, tmp_path: Path) -> None:
    info = inbox.inbox()
    assert (info.identifier, info.identity_validation_enabled) == (CHATWOOT_INBOX, False)

    contact = inbox.create_contact(
        source_id="crm-42",
        name="John Doe",
        email="john@example.com",
        phone_number="+972541234567",
        custom_attributes={"plan": "gold"},
    )
    assert contact.source_id == "crm-42"
    assert contact.pubsub_token and contact.pubsub_token not in repr(contact)
    assert (contact.name, contact.email, contact.phone_number) == ("John Doe", "john@example.com", "+972541234567")
    assert contact.raw["source_id"] == "crm-42"
    assert last_request(mock)["json"] == {
        "source_id": "crm-42",
        "name": "John Doe",
        "email": "john@example.com",
        "phone_number": "+972541234567",
        "custom_attributes": {"plan": "gold"},
    }
    assert inbox.get_contact("crm-42") == contact

    conversation = inbox.create_conversation(contact, {"order": "A-1001"})
    assert conversation.status == "open" and conversation.messages == []
    assert conversation.contact is not None and conversation.contact["id"] == contact.id

    # A message with two files: one streamed from disk, one from memory.
    photo = tmp_path / "photo.png"
    photo_bytes = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 17
    photo.write_bytes(photo_bytes)
    receipt = b"%PDF-1.4 receipt"
    files = inbox.create_message(
        contact, conversation.id, "photo and receipt", echo_id="tmp-1", attachments=[photo, ("receipt.pdf", receipt)]
    )
    assert files.message_type is MessageType.INCOMING
    assert (files.content, files.conversation_id) == ("photo and receipt", conversation.id)
    assert [(a.file_type, a.extension, a.file_size) for a in files.attachments] == [
        ("image", "png", len(photo_bytes)),
        ("file", "pdf", len(receipt)),
    ]
    assert all(a.data_url for a in files.attachments)
    sent = last_request(mock)
    assert sent["content_type"] == "multipart/form-data"
    assert [p["name"] for p in sent["parts"]] == ["content", "echo_id", "attachments[]", "attachments[]"]
    assert [(p["filename"], p["sha256"]) for p in sent["parts"][2:]] == [
        ("photo.png", sha256(photo_bytes)),
        ("receipt.pdf", sha256(receipt)),
    ]
    assert "authorization" not in sent["headers"]
    (stored_conversation,) = mock.chatwoot()["conversations"]
    (stored,) = stored_conversation["messages"]
    assert stored["echo_id"] == "tmp-1"
    assert [(a["name"], a["content_type"], a["sha256"]) for a in stored["attachments"]] == [
        ("photo.png", "image/png", sha256(photo_bytes)),
        ("receipt.pdf", "application/pdf", sha256(receipt)),
    ]

    # 25 more, then page back through them.
    ids = [inbox.create_message(contact, conversation.id, f"m{i}").id for i in range(25)]
    assert last_request(mock)["json"] == {"content": "m24"}
    latest = inbox.list_messages(contact, conversation.id)
    assert len(latest) == 20
    assert [m.content for m in latest] == [f"m{i}" for i in range(5, 25)], "the latest 20, oldest first"
    older = inbox.list_messages("crm-42", conversation.id, before=ids[5])
    assert [m.id for m in older] == [files.id, *ids[:5]]
    assert older[0].attachments == files.attachments
    assert last_request(mock)["query"] == f"before={ids[5]}"

    inbox.set_typing(contact, conversation.id, True)
    inbox.update_last_seen(contact, conversation.id)
    answered = inbox.update_message(contact, conversation.id, ids[0], [{"name": "size", "title": "L", "value": "L"}])
    assert answered.content_attributes["submitted_values"] == [{"name": "size", "title": "L", "value": "L"}]

    resolved = inbox.resolve_conversation(contact, conversation.id)
    assert resolved.status == "resolved"
    assert inbox.resolve_conversation(contact, conversation.id).status == "resolved", "resolving stays resolved"
    (listed,) = inbox.list_conversations(contact)
    assert listed.id == conversation.id and len(listed.messages) == 26
    shown = inbox.get_conversation(contact, conversation.id)
    assert shown.status == "resolved"
    assert shown.contact_last_seen_at and shown.contact_last_seen_at > 0
    (state,) = mock.chatwoot()["conversations"]
    assert (state["status"], state["typing_status"], state["custom_attributes"]) == ("resolved", "on", {"order": "A-1001"})
    inbox.set_typing(contact, conversation.id, False)
    assert mock.chatwoot()["conversations"][0]["typing_status"] == "off"
    assert {r["status"] for r in mock.requests()} == {200}


def test_source_id_reuse_returns_the_contact_unchanged(inbox: commbox.InboxClient) -> None:
    first = inbox.create_contact(source_id="crm-7", name="Ann", email="ann@example.com")
    again = inbox.create_contact(source_id="crm-7", name="Someone Else", email="else@example.com")
    assert (again.id, again.name, again.email) == (first.id, "Ann", "ann@example.com")
    generated = inbox.create_contact()
    assert generated.source_id and generated.source_id != "crm-7"
    assert generated.name, "Chatwoot names an anonymous contact"


def test_update_returns_the_full_model_and_merges_on_a_shared_email(inbox: commbox.InboxClient) -> None:
    owner = inbox.create_contact(email="taken@example.com", name="Owner")
    other = inbox.create_contact(name="Other")
    assert other.source_id
    renamed = inbox.update_contact(other, name="Other Renamed", custom_attributes={"tier": 2})
    assert (renamed.id, renamed.name, renamed.source_id) == (other.id, "Other Renamed", None)
    assert renamed.raw["custom_attributes"] == {"tier": 2}
    # Reality, not the swagger: another contact's e-mail merges the two instead of a 422.
    merged = inbox.update_contact(other.source_id, email="taken@example.com")
    assert merged.id == owner.id
    assert inbox.get_contact(other).id == owner.id


def test_a_single_conversation_inbox_returns_the_existing_one(mock: MockServer) -> None:
    with commbox.InboxClient(mock.url, CHATWOOT_SINGLE_INBOX) as inbox:
        contact = inbox.create_contact()
        first = inbox.create_conversation(contact)
        second = inbox.create_conversation(contact, {"ignored": True})
        assert second.id == first.id
        assert len(inbox.list_conversations(contact)) == 1


def test_identity_validation(mock: MockServer) -> None:
    with commbox.InboxClient(mock.url, CHATWOOT_HMAC_INBOX) as inbox:
        assert inbox.inbox().identity_validation_enabled
        for fields in ({"identifier": "user-7"}, {"identifier": "user-7", "identifier_hash": "00"}):
            with pytest.raises(commbox.ServerError) as e:
                inbox.create_contact(**fields)  # type: ignore[arg-type]
            assert e.value.status == 500
            assert "identity validation failed" in e.value.message
            assert "identifier_hash must be the hex HMAC-SHA256 of identifier" in str(e.value)
        mock.reset()
        contact = inbox.create_contact(identifier="user-7", hmac_token=CHATWOOT_HMAC_TOKEN)
        assert contact.source_id
        expected = commbox.chatwoot_identifier_hash("user-7", CHATWOOT_HMAC_TOKEN)
        sent = last_request(mock)["json"]
        assert sent == {"identifier": "user-7", "identifier_hash": expected}, "the token itself is never sent"
        # The hash computed by hand works the same, and update takes it too.
        other = inbox.create_contact(
            identifier="user-8", identifier_hash=commbox.chatwoot_identifier_hash("user-8", CHATWOOT_HMAC_TOKEN)
        )
        updated = inbox.update_contact(other, identifier="user-8", hmac_token=CHATWOOT_HMAC_TOKEN, name="Eight")
        assert updated.name == "Eight"
        verified = {c["source_id"]: c["hmac_verified"] for c in mock.chatwoot(CHATWOOT_HMAC_INBOX)["contacts"]}
        assert verified == {contact.source_id: False, other.source_id: True}
        # Identity validation applies to get as well: the plain lookup fails, the verified
        # one works (the token computes the hash; it is never sent).
        with pytest.raises(commbox.ServerError):
            inbox.get_contact(contact)
        assert inbox.get_contact(contact, identifier="user-7", hmac_token=CHATWOOT_HMAC_TOKEN).id == contact.id
        assert inbox.get_contact(contact, identifier="user-7", identifier_hash=expected).id == contact.id
        assert last_request(mock)["query"] == f"identifier=user-7&identifier_hash={expected}"
        with pytest.raises(commbox.ValidationError) as bad:
            inbox.get_contact(contact, identifier="user-7")
        assert bad.value.field == "identifier_hash"
        for kwargs in ({"hmac_token": "t"}, {"identifier": "u", "identifier_hash": "h", "hmac_token": "t"}):
            with pytest.raises(commbox.ValidationError) as bad:
                inbox.get_contact(contact, **kwargs)
            assert bad.value.field == "hmac_token"
        # Conversations and messages are not checked, as on the real server.
        conversation = inbox.create_conversation(contact)
        inbox.create_message(contact, conversation.id, "hello")


def test_identifier_hash_is_hmac_sha256() -> None:
    # RFC 4231 test case 2: key "Jefe".
    assert (
        commbox.chatwoot_identifier_hash("what do ya want for nothing?", "Jefe")
        == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    )


def test_records_pickle_and_compare(inbox: commbox.InboxClient) -> None:
    contact = inbox.create_contact(name="P")
    conversation = inbox.create_conversation(contact)
    message = inbox.create_message(contact, conversation.id, "x", attachments=[("a.txt", b"a")])
    records: List[Any] = [inbox.inbox(), contact, inbox.get_conversation(contact, conversation.id), message]
    for record in records:
        again = pickle.loads(pickle.dumps(record))
        assert again == record and again.raw == record.raw
    with pytest.raises(AttributeError):
        contact.name = "changed"  # type: ignore[misc]


def test_message_types_accept_unknown_values() -> None:
    assert MessageType(1) is MessageType.OUTGOING
    unknown = MessageType(7)
    assert unknown == 7 and unknown.name == "UNKNOWN_7" and not unknown.is_known
