"""Messages from the customer and from agents, attachments in every accepted form, and the
calls around them (get, status, managers, system status, raw requests)."""

from __future__ import annotations

import base64
import hashlib
import io
from pathlib import Path
from typing import Any, Dict, List

import pytest
from mock_server import STREAM, MockServer

import commbox
from commbox import Attachment, NewMessage, ObjectStatusType, ObjectType, StreamProviderType


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def conversation(client: commbox.Client, mock: MockServer) -> int:
    """A conversation to post into; the mock's records start after it."""
    conversation_id = client.create_sms_conversation(STREAM, "972544444444", "Opening")
    return conversation_id


def last_request(mock: MockServer) -> Dict[str, Any]:
    request: Dict[str, Any] = mock.requests()[-1]
    return request


def file_parts(request: Dict[str, Any]) -> List[Dict[str, Any]]:
    return [p for p in request["parts"] if p["name"] == "file"]


def test_customer_message(client: commbox.Client, mock: MockServer, conversation: int) -> None:
    message_id = client.create_customer_message(STREAM, conversation, "MrDoe@gmail.com", "Where is my order?")
    request = last_request(mock)
    assert request["path"] == f"/streams/hNyRN_fLUy7rrOrN9jLpipA%3D%3D/objects/{conversation}/child"
    assert request["json"] == {
        "data": {
            "Type": 4,
            "UserStreamProviderId": "MrDoe@gmail.com",
            "UserStreamProviderType": 4,
            "Message": "Where is my order?",
        }
    }
    (stored,) = mock.objects()
    assert [c["id"] for c in stored["children"]][-1] == message_id


def test_agent_message(client: commbox.Client, mock: MockServer, conversation: int) -> None:
    agent = client.managers()[0].id
    client.create_message(
        STREAM,
        conversation,
        NewMessage.from_agent(agent, "972542660000", "It ships today.", identity_type=StreamProviderType.WHATSAPP),
    )
    data = last_request(mock)["json"]["data"]
    assert data == {
        "IsManager": True,
        "UserIdentity": agent,
        "Type": 4,
        "UserStreamProviderId": "972542660000",
        "UserStreamProviderType": 7,
        "Message": "It ships today.",
    }
    client.create_agent_message(STREAM, conversation, agent, "best.agent@commbox.com", "Anything else?")
    assert last_request(mock)["json"]["data"]["IsManager"] is True


def test_message_from_json(client: commbox.Client, mock: MockServer, conversation: int) -> None:
    child = {"Type": 4, "UserStreamProviderId": "a@b.co", "UserStreamProviderType": 4, "Message": "raw"}
    client.create_message_json(STREAM, conversation, {"data": child})
    assert last_request(mock)["json"] == {"data": child}


def test_attachments_by_path_bytes_and_file_objects(
    client: commbox.Client, mock: MockServer, conversation: int, tmp_path: Path
) -> None:
    on_disk = tmp_path / "invoice.pdf"
    on_disk.write_bytes(b"%PDF-1.4 invoice")
    by_str = tmp_path / "notes.txt"
    by_str.write_bytes(b"plain notes")
    partly_read = tmp_path / "tail.bin"
    partly_read.write_bytes(b"HEADERpayload")
    with on_disk.open("rb") as whole, partly_read.open("rb") as tail:
        tail.read(6)
        client.create_customer_message(
            STREAM,
            conversation,
            "a@b.co",
            "files",
            attachments=[
                on_disk,  # pathlib.Path
                str(by_str),  # str
                ("label.txt", b"A-1001"),  # (name, bytes)
                Attachment(bytearray(b"\x00\x01"), name="blob", content_type="application/x-custom"),
                whole,  # a file on disk at its start: streamed from its path
                tail,  # partly read: the rest is read into memory
                Attachment(io.BytesIO(b"in memory"), name="memo.txt"),
                Attachment(on_disk, name="renamed.pdf"),
            ],
        )
    parts = file_parts(last_request(mock))
    got = [(p["filename"], p["content_type"], p["size"], p["sha256"]) for p in parts]
    assert got == [
        ("invoice.pdf", "application/pdf", 16, sha256(b"%PDF-1.4 invoice")),
        ("notes.txt", "text/plain", 11, sha256(b"plain notes")),
        ("label.txt", "text/plain", 6, sha256(b"A-1001")),
        ("blob", "application/x-custom", 2, sha256(b"\x00\x01")),
        ("invoice.pdf", "application/pdf", 16, sha256(b"%PDF-1.4 invoice")),
        ("tail.bin", "application/octet-stream", 7, sha256(b"payload")),
        ("memo.txt", "text/plain", 9, sha256(b"in memory")),
        ("renamed.pdf", "application/pdf", 16, sha256(b"%PDF-1.4 invoice")),
    ]
    stored = mock.objects()[0]["children"][-1]["attachments"]
    assert [a["name"] for a in stored] == [g[0] for g in got]


def test_conversation_with_attachment_is_multipart(client: commbox.Client, mock: MockServer, tmp_path: Path) -> None:
    report = tmp_path / "report.csv"
    report.write_text("a,b\n1,2\n")
    client.create_email_conversation(STREAM, "a@b.co", "Report", "Attached", attachments=[report])
    request = last_request(mock)
    assert request["content_type"] == "multipart/form-data"
    assert request["json"]["Message"] == "Attached"
    assert [(p["name"], p["filename"]) for p in request["parts"]] == [("data", None), ("file", "report.csv")]


def test_base64_form(client: commbox.Client, mock: MockServer, conversation: int) -> None:
    client.create_message(
        STREAM,
        conversation,
        NewMessage.from_customer("a@b.co", "", attachments=[("a.txt", b"hello")], attachments_as_base64=True),
    )
    (part,) = file_parts(last_request(mock))
    expected = b"filename:a.txt;base64:" + base64.b64encode(b"hello")
    assert part["size"] == len(expected)
    assert part["sha256"] == sha256(expected)


def test_attachment_forms_refused_before_io(client: commbox.Client, mock: MockServer, conversation: int) -> None:
    mock.reset()
    with pytest.raises(commbox.ValidationError) as e:
        client.create_customer_message(STREAM, conversation, "a@b.co", "x", attachments=[b"raw"])  # type: ignore[list-item]
    assert (e.value.field, e.value.reason) == ("attachments[0]", 'inline content needs a "name"')
    with pytest.raises(TypeError, match="binary mode"):
        with open(__file__) as text:
            client.create_customer_message(STREAM, conversation, "a@b.co", "x", attachments=[text])  # type: ignore[list-item]
    with pytest.raises(commbox.FileError) as missing:
        client.create_customer_message(STREAM, conversation, "a@b.co", "x", attachments=["/no/such/file.pdf"])
    assert isinstance(missing.value, OSError)
    assert missing.value.field == 'attachment "/no/such/file.pdf"'
    assert missing.value.reason == "no such file"
    with pytest.raises(commbox.ValidationError) as e:
        client.create_customer_message(
            STREAM, conversation, "a@b.co", "x", attachments=["a.txt", io.BytesIO(b"no name")]
        )
    assert (e.value.field, e.value.reason) == ("attachments[1]", 'inline content needs a "name"')
    assert mock.requests() == []


def test_get_conversation_gives_typed_records(client: commbox.Client, mock: MockServer) -> None:
    conversation_id = client.create_email_conversation(STREAM, "a@b.co", "Subject", "First")
    agent = client.managers()[0]
    client.create_agent_message(STREAM, conversation_id, agent.id, "best.agent@commbox.com", "Reply")
    conversation = client.get_conversation(STREAM, conversation_id)
    assert conversation.id == conversation_id
    assert conversation.object_type is ObjectType.MAIL
    assert conversation.status is None or isinstance(conversation.status, ObjectStatusType)
    assert conversation.message == "First"
    assert conversation.raw["objectId"] == conversation_id
    reply = conversation.messages[-1]
    assert reply.message == "Reply"
    assert reply.is_manager is True
    assert reply.object_type is ObjectType.CONVERSATION
    assert isinstance(reply.raw, dict)
    assert mock.requests()[-1]["query"] == "includeChilds=true"


def test_set_status_by_enum_number_and_name(client: commbox.Client, mock: MockServer, conversation: int) -> None:
    client.set_conversation_status(conversation, ObjectStatusType.RESOLVED)
    client.set_conversation_status(conversation, 8)
    client.set_conversation_status(conversation, "follow up")
    paths = [r["path"] for r in mock.requests()[-3:]]
    assert paths == [f"/objects/{conversation}/status/{n}" for n in (2, 8, 10)]
    assert client.get_conversation(STREAM, conversation).status is ObjectStatusType.FOLLOW_UP
    with pytest.raises(commbox.ValidationError) as bad:
        client.set_conversation_status(conversation, "nearly done")
    assert bad.value.field == "status"


def test_managers_system_status_and_raw_request(client: commbox.Client, mock: MockServer) -> None:
    managers = client.managers()
    assert managers and all(isinstance(m, commbox.Manager) for m in managers)
    best = managers[0]
    assert best.email == "best.agent@commbox.com"
    assert best.raw["teamName"] == best.team_name
    status = client.system_status()
    assert status.http_status == 200
    assert status.description == "System is operational"
    envelope = client.raw_request("GET", "/managers")
    assert envelope.http_status == 200
    assert envelope.data[0]["id"] == best.id
    assert len(envelope.request_id) == 36
    posted = client.raw_request(
        "POST",
        "/streams/s/objects",
        {"data": {"Type": 4, "UserStreamProviderId": "1", "UserStreamProviderType": 5, "Message": "m"}},
    )
    assert posted.data["id"] == mock.objects()[0]["id"]
