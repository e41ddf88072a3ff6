"""Chatwoot requests cross as the core's NewContact and NewInboxMessage: the rules (the HMAC
token's included) and the error messages are the core's, the same in every face."""

from __future__ import annotations

from typing import Any, Callable

import pytest
from mock_server import MockServer

import commbox

NEEDS_IDENTIFIER = "hmac_token: needs identifier: the hash is computed from it"
NOT_BOTH = "hmac_token: give identifier_hash or hmac_token, not both"


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda i: i.create_contact(name="A", hmac_token="t"), NEEDS_IDENTIFIER),
        (lambda i: i.update_contact("c", hmac_token="t"), NEEDS_IDENTIFIER),
        (lambda i: i.get_contact("c", hmac_token="t"), NEEDS_IDENTIFIER),
        (lambda i: i.create_contact(identifier="u", identifier_hash="h", hmac_token="t"), NOT_BOTH),
        (lambda i: i.get_contact("c", identifier="u", identifier_hash="h", hmac_token="t"), NOT_BOTH),
    ],
    ids=["create", "update", "get", "create-with-hash", "get-with-hash"],
)
def test_the_hmac_token_rule_is_the_cores(
    inbox: commbox.InboxClient, mock: MockServer, call: Callable[[commbox.InboxClient], Any], message: str
) -> None:
    with pytest.raises(commbox.ValidationError) as e:
        call(inbox)
    assert e.value.field == "hmac_token"
    assert str(e.value) == message
    assert mock.requests() == []


def test_the_forms_are_read_by_the_core(inbox: commbox.InboxClient, mock: MockServer) -> None:
    # None is the same as not given, custom_attributes included.
    contact = inbox.create_contact(name="A", custom_attributes=None, email=None)
    assert contact.name == "A"
    # A value of the wrong type is named by its JSON path.
    with pytest.raises(TypeError, match="custom_attributes.plan: set is not JSON"):
        inbox.create_contact(custom_attributes={"plan": {1, 2}})
    with pytest.raises(commbox.ValidationError) as e:
        inbox.create_contact(name=3)  # type: ignore[arg-type]
    assert e.value.field == "name"
    requests = len(mock.requests())
    conversation = inbox.create_conversation(contact)
    message = inbox.create_message(contact, conversation.id, "hi", echo_id="e-1")
    assert message.content == "hi"
    assert len(mock.requests()) == requests + 2
