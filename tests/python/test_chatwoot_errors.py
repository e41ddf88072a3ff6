"""Chatwoot errors through the package's exception classes: the Rails answers of the real
server (404, 422, HMAC 500), transport failures, and bad input refused before anything is
sent."""

from __future__ import annotations

import io
from typing import Any, Callable, Dict, Type

import pytest
from mock_server import CHATWOOT_INBOX, MockServer

import commbox


def test_not_found_is_rails_404(inbox: commbox.InboxClient, mock: MockServer) -> None:
    with pytest.raises(commbox.NotFoundError) as e:
        inbox.get_contact("nobody")
    assert (e.value.status, e.value.description) == (404, "Not Found")
    assert e.value.message == "Chatwoot answered HTTP 404 Not Found: Not Found"
    assert e.value.request_id and e.value.request_id in str(e.value)
    contact = inbox.create_contact()
    with pytest.raises(commbox.NotFoundError):
        inbox.get_conversation(contact, 999)
    with pytest.raises(commbox.NotFoundError):
        inbox.create_message(contact, 999, "lost")
    with commbox.InboxClient(mock.url, "no-such-inbox") as unknown:
        with pytest.raises(commbox.NotFoundError):
            unknown.inbox()


def test_unprocessable_carries_the_servers_message(inbox: commbox.InboxClient, mock: MockServer) -> None:
    mock.fault(status=422, body={"message": "Too many messages", "attributes": ["base"]})
    with pytest.raises(commbox.BadRequestError) as e:
        inbox.create_contact()
    assert (e.value.status, e.value.description) == (422, "Too many messages")
    assert e.value.body and "attributes" in e.value.body


def test_a_created_contact_without_source_id_is_a_decode_error(inbox: commbox.InboxClient, mock: MockServer) -> None:
    """The core's rule, the same in every face: the contact was created, but the answer lacks
    what the API documents (not a ValidationError, which would say nothing was sent)."""
    mock.fault(status=200, body={"id": 7, "name": "A"})
    with pytest.raises(commbox.DecodeError) as e:
        inbox.create_contact(name="A")
    assert "the created contact has no source_id" in str(e.value)


@pytest.mark.parametrize(
    "fault, error, attempts",
    [
        ({"status": 401}, commbox.AuthenticationError, 1),
        ({"status": 500}, commbox.ServerError, 1),  # a create is not retried after a 500
        ({"status": 429, "retry_after": "0", "count": 3}, commbox.RateLimitError, 3),
        ({"status": 503, "retry_after": "0", "count": 3}, commbox.ServerError, 3),
        ({"drop": True}, commbox.ConnectionError, 1),  # it may have been processed: not resent
        ({"status": 200, "body": "<html>proxy</html>"}, commbox.DecodeError, 1),
    ],
)
def test_error_kinds_on_a_create(
    mock: MockServer, fault: Dict[str, Any], error: Type[commbox.CommboxError], attempts: int
) -> None:
    with commbox.InboxClient(mock.url, CHATWOOT_INBOX, max_retries=2) as inbox:
        mock.fault(**fault)
        with pytest.raises(error):
            inbox.create_contact(name="x")
    assert len(mock.requests()) == attempts


def test_reads_are_retried_and_timeouts_raise(mock: MockServer) -> None:
    with commbox.InboxClient(mock.url, CHATWOOT_INBOX, max_retries=1) as inbox:
        mock.fault(status=500, retry_after="0")
        assert inbox.inbox().identifier == CHATWOOT_INBOX
        assert [r["status"] for r in mock.requests()] == [500, 200]
    with commbox.InboxClient(mock.url, CHATWOOT_INBOX, timeout=0.2, max_retries=0) as inbox:
        mock.fault(delay_ms=1000)
        with pytest.raises(commbox.TimeoutError) as e:
            inbox.inbox()
        assert isinstance(e.value, TimeoutError)


def test_a_closed_inbox_refuses_calls(mock: MockServer) -> None:
    inbox = commbox.InboxClient(mock.url, CHATWOOT_INBOX)
    inbox.close()
    inbox.close()
    assert inbox.closed and repr(inbox).endswith(", closed)")
    with pytest.raises(commbox.CommboxError, match="closed"):
        inbox.inbox()
    assert mock.requests() == []


LONG = "x" * 150_001
SIXTEEN_FILES = [(f"{i}.txt", b"1") for i in range(16)]
NO_SOURCE_ID = commbox.Contact(id=1)  # what update_contact returns has none

Call = Callable[[commbox.InboxClient], Any]


def bad(field: str, call: Call, id: str) -> Any:
    """A bad-input case: the call (type-checked as users would write it) and the field its
    ValidationError names."""
    return pytest.param(field, call, id=id)


BAD_INPUT = [
    bad("phone_number", lambda i: i.create_contact(phone_number="972541234567"), id="phone-not-e164"),
    bad("email", lambda i: i.create_contact(email="john@"), id="email-malformed"),
    bad("avatar_url", lambda i: i.create_contact(avatar_url="ftp://example.com/a.png"), id="avatar-not-http"),
    bad(
        "custom_attributes",
        lambda i: i.create_contact(custom_attributes=["not", "a", "dict"]),  # type: ignore[arg-type]
        id="contact-attributes-not-dict",
    ),
    bad("source_id", lambda i: i.update_contact("c", source_id="x"), id="source-id-in-update"),  # type: ignore[call-arg]
    bad("hmac_token", lambda i: i.create_contact(hmac_token="t"), id="hmac-token-without-identifier"),
    bad(
        "hmac_token",
        lambda i: i.create_contact(identifier="u", identifier_hash="h", hmac_token="t"),
        id="hmac-token-and-hash",
    ),
    bad("hmac_token", lambda i: i.create_contact(identifier="u", hmac_token=""), id="hmac-token-empty"),
    bad("contact_identifier", lambda i: i.get_contact(""), id="contact-empty"),
    bad("contact_identifier", lambda i: i.update_contact(NO_SOURCE_ID, name="x"), id="contact-without-source-id"),
    bad("conversation_id", lambda i: i.get_conversation("c", 0), id="conversation-0"),
    bad("conversation_id", lambda i: i.resolve_conversation("c", -1), id="conversation-negative"),
    bad("conversation_id", lambda i: i.create_message("c", 0, "x"), id="message-in-conversation-0"),
    bad("before", lambda i: i.list_messages("c", 1, before=0), id="before-0"),
    bad("message_id", lambda i: i.update_message("c", 1, 0, [{"name": "a", "value": "b"}]), id="message-0"),
    bad(
        "submitted_values",
        lambda i: i.update_message("c", 1, 2, "no"),  # type: ignore[arg-type]
        id="submitted-values-not-json-container",
    ),
    bad("content", lambda i: i.create_message("c", 1, LONG), id="content-too-long"),
    bad(
        "attachments", lambda i: i.create_message("c", 1, "x", attachments=SIXTEEN_FILES), id="16-attachments"
    ),
    bad("attachments", lambda i: i.create_message("c", 1, attachments="photo.png"), id="attachments-not-a-list"),
    bad("attachments[0]", lambda i: i.create_message("c", 1, attachments=[b"raw"]), id="bytes-without-a-name"),  # type: ignore[list-item]
    bad(
        "custom_attributes",
        lambda i: i.create_conversation("c", "plan=gold"),  # type: ignore[arg-type]
        id="conversation-attributes-not-dict",
    ),
]


@pytest.mark.parametrize("field, call", BAD_INPUT)
def test_bad_input_sends_nothing(inbox: commbox.InboxClient, mock: MockServer, field: str, call: Call) -> None:
    with pytest.raises(commbox.ValidationError) as e:
        call(inbox)
    assert e.value.field == field
    assert e.value.reason and e.value.message == f"{field}: {e.value.reason}"
    assert isinstance(e.value, ValueError)
    assert mock.requests() == []


def test_content_at_the_limit_is_sent(inbox: commbox.InboxClient) -> None:
    contact = inbox.create_contact()
    conversation = inbox.create_conversation(contact)
    assert inbox.create_message(contact, conversation.id, "é" * 150_000).content == "é" * 150_000


def test_fifteen_attachments_are_sent(inbox: commbox.InboxClient, mock: MockServer) -> None:
    contact = inbox.create_contact()
    conversation = inbox.create_conversation(contact)
    files = [(f"{i}.txt", str(i).encode()) for i in range(15)]
    message = inbox.create_message(contact, conversation.id, attachments=files)
    assert len(message.attachments) == 15
    assert not message.content


@pytest.mark.parametrize(
    "base_url, identifier, field",
    [
        ("http://127.0.0.1:1", "", "inbox_identifier"),
        ("not a url", "x", "base_url"),
        ("http://example.com", "x", "base_url"),  # http:// to another host needs allow_insecure_http
    ],
)
def test_bad_settings_are_refused(base_url: str, identifier: str, field: str) -> None:
    with pytest.raises(commbox.ValidationError) as e:
        commbox.InboxClient(base_url, identifier)
    assert e.value.field == field


def test_client_inbox_checks_its_arguments(client: commbox.Client, mock: MockServer) -> None:
    with pytest.raises(commbox.ValidationError) as e:
        client.inbox(mock.url, "")
    assert e.value.field == "inbox_identifier"
    with pytest.raises(commbox.ValidationError) as e:
        client.inbox("ftp://chatwoot.example.com", CHATWOOT_INBOX)
    assert e.value.field == "base_url"
    assert mock.requests() == []


def test_a_missing_attachment_is_a_file_error(inbox: commbox.InboxClient, mock: MockServer) -> None:
    with pytest.raises(commbox.FileError) as e:
        inbox.create_message("c", 1, attachments=["/no/such.png"])
    assert (e.value.field, e.value.reason) == ('attachment "/no/such.png"', "no such file")
    assert mock.requests() == []


@pytest.mark.parametrize(
    "attachments, message",
    [
        ([io.StringIO("text")], "binary mode"),
        ([42], "cannot attach"),
    ],
)
def test_attachment_type_errors(inbox: commbox.InboxClient, mock: MockServer, attachments: Any, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        inbox.create_message("c", 1, "x", attachments=attachments)
    assert mock.requests() == []


def test_contact_arguments_are_checked(inbox: commbox.InboxClient, mock: MockServer) -> None:
    with pytest.raises(TypeError, match="unexpected contact field"):
        inbox.create_contact(nickname="J")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="source_id"):
        inbox.get_contact(42)  # type: ignore[arg-type]
    assert mock.requests() == []
