"""Opening conversations on every channel, through the request classes and through keyword
arguments, checked against what the mock received on the wire."""

from __future__ import annotations

from typing import Any, Dict

import pytest
from mock_server import STREAM, MockServer

import commbox
from commbox import (
    BulkSmsConversation,
    ChatConversation,
    EmailConversation,
    ObjectStatusType,
    ObjectType,
    SmsConversation,
    StreamProviderType,
    User,
    WhatsAppTemplateConversation,
)


def sent_object(mock: MockServer) -> Dict[str, Any]:
    """The object of the one request the mock received (the JSON body's `data`)."""
    (request,) = mock.requests()
    assert request["method"] == "POST"
    assert request["path"] == "/streams/hNyRN_fLUy7rrOrN9jLpipA%3D%3D/objects"
    assert request["status"] == 200
    body = request["json"]
    data: Dict[str, Any] = body["data"] if request["content_type"] == "application/json" else body
    return data


def test_email_from_the_request_class(client: commbox.Client, mock: MockServer) -> None:
    conversation = EmailConversation(
        "customer@example.com",
        "Your invoice",
        "Please find it attached.",
        to=[("customer@example.com", "John Doe")],
        cc=["accounts@example.com"],
        bcc=[("audit@example.com", "Audit")],
        attachment_urls=[("https://files.example.com/inv.pdf", "inv.pdf")],
        status=ObjectStatusType.SENT,
        manager_id=36574658,
        user=User(unique_id="CUST-1", first_name="John", last_name="Doe", email="customer@example.com"),
    )
    conversation_id = client.create_conversation(STREAM, conversation)

    (stored,) = mock.objects()
    assert stored["id"] == conversation_id
    data = sent_object(mock)
    assert data["Type"] == ObjectType.MAIL
    assert data["StreamProviderType"] == StreamProviderType.MAIL
    assert data["UserStreamProviderId"] == "customer@example.com"
    assert data["StatusId"] == 13
    assert data["ManagerId"] == 36574658
    assert data["Message"] == "Please find it attached."
    content = data["Content"]
    assert content["subject"] == "Your invoice"
    assert content["to"] == [{"address": "customer@example.com", "name": "John Doe"}]
    assert content["cc"] == [{"address": "accounts@example.com"}]
    assert content["bcc"] == [{"address": "audit@example.com", "name": "Audit"}]
    assert content["attachments"] == [{"path": "https://files.example.com/inv.pdf", "name": "inv.pdf"}]
    assert data["User"] == {
        "UniqueId": "CUST-1",
        "FirstName": "John",
        "LastName": "Doe",
        "Email": "customer@example.com",
    }


def test_keyword_form_sends_what_the_class_sends(client: commbox.Client, mock: MockServer) -> None:
    client.create_email_conversation(
        STREAM, "customer@example.com", "Hi", "Hello", cc=["a@example.com"], status=ObjectStatusType.OPEN
    )
    from_keywords = sent_object(mock)
    mock.reset()
    client.create_conversation(
        STREAM,
        EmailConversation("customer@example.com", "Hi", "Hello", cc=["a@example.com"], status=ObjectStatusType.OPEN),
    )
    assert sent_object(mock) == from_keywords


def test_sms(client: commbox.Client, mock: MockServer) -> None:
    client.create_sms_conversation(STREAM, "+972544444444", "Your code is 1234")
    data = sent_object(mock)
    assert data["Type"] == ObjectType.CONVERSATION
    assert data["StreamProviderType"] == StreamProviderType.TELEPHONE
    assert data["UserStreamProviderType"] == StreamProviderType.TELEPHONE
    # The core normalises phone numbers: the leading + is removed.
    assert data["UserStreamProviderId"] == "972544444444"
    mock.reset()
    client.create_conversation(STREAM, SmsConversation("+972544444444", "Your code is 1234"))
    assert sent_object(mock) == data


def test_sms_to_several_recipients(client: commbox.Client, mock: MockServer) -> None:
    client.create_bulk_sms_conversation(STREAM, "972544444444", "Closing at 6", ["972522222222", "+972533333333"])
    data = sent_object(mock)
    assert data["sendToClient"] is True
    assert data["Content"]["to"] == ["972522222222", "972533333333"]
    mock.reset()
    client.create_conversation(
        STREAM,
        BulkSmsConversation("972544444444", "Closing at 6", recipients=["972522222222", "972533333333"]),
    )
    assert sent_object(mock) == data


def test_whatsapp_template(client: commbox.Client, mock: MockServer) -> None:
    client.create_whatsapp_template_conversation(
        STREAM, "972544444444", "order_ready", "Your order is ready", params=["A-1001", "today"], language="en"
    )
    data = sent_object(mock)
    assert data["StreamProviderType"] == StreamProviderType.WHATSAPP
    assert data["Content"] == {
        "to": ["972544444444"],
        "whatsapp_hsm_name": "order_ready",
        "whatsapp_localizable_params": ["A-1001", "today"],
        "whatsapp_language_code": "en",
    }
    mock.reset()
    client.create_conversation(
        STREAM,
        WhatsAppTemplateConversation(
            "972544444444", "order_ready", "Your order is ready", params=["A-1001", "today"], language="en"
        ),
    )
    assert sent_object(mock) == data


def test_chat(client: commbox.Client, mock: MockServer) -> None:
    client.create_chat_conversation(STREAM, "972544444444", "Hello from the website", user_identity=100000000419660)
    data = sent_object(mock)
    assert data["StreamProviderType"] == StreamProviderType.COMMBOX
    assert data["createChildObject"] is True
    assert data["UserIdentity"] == 100000000419660
    mock.reset()
    client.create_conversation(
        STREAM, ChatConversation("972544444444", "Hello from the website", user_identity=100000000419660)
    )
    assert sent_object(mock) == data


def test_overrides_unknown_enum_values_and_extra_fields(client: commbox.Client, mock: MockServer) -> None:
    client.create_sms_conversation(
        STREAM,
        "972544444444",
        "hi",
        object_type=99,
        stream_provider_type=StreamProviderType.WHATSAPP_CLOUD,
        sub_stream_id=7,
        stream_provider_id="wamid.1",
        fields={"Custom": {"nested": [1, 2.5, None, True]}},
    )
    data = sent_object(mock)
    assert data["Type"] == 99
    assert data["StreamProviderType"] == 16
    assert data["SubStreamId"] == 7
    assert data["StreamProviderId"] == "wamid.1"
    assert data["Custom"] == {"nested": [1, 2.5, None, True]}


def test_from_json_you_already_hold(client: commbox.Client, mock: MockServer) -> None:
    obj = {"Type": 4, "StreamProviderType": 5, "UserStreamProviderId": "972544444444",
           "UserStreamProviderType": 5, "Message": "raw"}
    first = client.create_conversation_json(STREAM, obj)
    second = client.create_conversation_json(STREAM, {"data": obj})
    assert second == first + 1
    assert [r["json"] for r in mock.requests()] == [{"data": obj}, {"data": obj}]


def test_stream_ids_are_encoded_once(client: commbox.Client, mock: MockServer) -> None:
    client.create_sms_conversation("hNyRN_fLUy7rrOrN9jLpipA%3d%3d", "972544444444", "hi")
    client.create_sms_conversation(1234, "972544444444", "hi")
    paths = [r["path"] for r in mock.requests()]
    assert paths == ["/streams/hNyRN_fLUy7rrOrN9jLpipA%3D%3D/objects", "/streams/1234/objects"]


def test_wrong_types_name_the_argument(client: commbox.Client, mock: MockServer) -> None:
    with pytest.raises(TypeError, match="conversation must be"):
        client.create_conversation(STREAM, {"Message": "x"})  # type: ignore[arg-type]
    # The core reads the request's JSON form: a value of the wrong type is refused by the
    # argument's name (its JSON key), as in the C library and the CLI.
    with pytest.raises(commbox.ValidationError) as e:
        client.create_sms_conversation(STREAM, "972544444444", "hi", manager_id="seven")  # type: ignore[arg-type]
    assert e.value.field == "manager_id"
    assert e.value.reason == 'invalid type: string "seven", expected i64'
    with pytest.raises(commbox.ValidationError) as e:
        client.create_email_conversation(STREAM, "a@b.co", "s", "m", cc=["x@b.co", 7])  # type: ignore[list-item]
    assert e.value.field == "cc[1]"
    with pytest.raises(commbox.ValidationError) as e:
        client.create_sms_conversation(STREAM, "972544444444", "hi", user=User(email=3))  # type: ignore[arg-type]
    assert e.value.field == "user.email"
    with pytest.raises(TypeError, match=r"^fields\.x: set is not JSON"):
        client.create_sms_conversation(STREAM, "972544444444", "hi", fields={"x": {1, 2}})
    with pytest.raises(commbox.ValidationError) as e:
        client.create_sms_conversation(STREAM, "972544444444", "hi", fields={"x": [float("nan")]})
    assert e.value.field == "fields.x[0]"
    # A lone string where a list belongs is not taken one character at a time.
    with pytest.raises(commbox.ValidationError) as e:
        client.create_bulk_sms_conversation(STREAM, "972544444444", "hi", "972522222222")
    assert (e.value.field, e.value.reason) == ("recipients", 'invalid type: string "972522222222", expected a sequence')
    with pytest.raises(commbox.ValidationError) as e:
        client.create_sms_conversation(STREAM, "972544444444", "hi", attachments="invoice.pdf")
    assert e.value.field == "attachments"
    assert mock.requests() == []


def test_status_by_name_and_none_for_a_required_argument(client: commbox.Client, mock: MockServer) -> None:
    client.create_sms_conversation(STREAM, "972544444444", "hi", status="sent")
    assert sent_object(mock)["StatusId"] == ObjectStatusType.SENT
    mock.reset()
    with pytest.raises(commbox.ValidationError) as e:
        client.create_sms_conversation(STREAM, "972544444444", None)  # type: ignore[arg-type]
    assert (e.value.field, e.value.reason) == ("message", "invalid type: null, expected a string")
    with pytest.raises(commbox.ValidationError) as e:
        client.create_sms_conversation(STREAM, "972544444444", "caf\udce9")
    assert e.value.field == "message"
    assert e.value.reason is not None and e.value.reason.startswith("is not valid UTF-8")
    assert mock.requests() == []


def test_the_request_is_the_core_json_form() -> None:
    email = EmailConversation(
        "a@b.co",
        "Hi",
        "Hello",
        to=[("a@b.co", "A")],
        cc=["c@b.co"],
        attachment_urls=[("https://x/y.pdf", "y.pdf")],
        status=ObjectStatusType.OPEN,
        user=User(first_name="J"),
        attachments=["/tmp/a.pdf", ("n.txt", b"hi")],
    )
    assert email._form() == {
        "channel": "email",
        "identity": "a@b.co",
        "subject": "Hi",
        "message": "Hello",
        "to": [{"address": "a@b.co", "name": "A"}],
        "cc": ["c@b.co"],
        "bcc": [],
        "attachment_urls": [{"url": "https://x/y.pdf", "name": "y.pdf"}],
        "status": ObjectStatusType.OPEN,
        "user": {"first_name": "J"},
        "attachments": ["/tmp/a.pdf", {"content_base64": "aGk=", "name": "n.txt"}],
        "fields": {},
    }
    assert BulkSmsConversation("972544444444", "m", recipients=["1"])._form() == {
        "channel": "bulk_sms",
        "identity": "972544444444",
        "message": "m",
        "recipients": ["1"],
        "attachments": [],
        "fields": {},
    }
