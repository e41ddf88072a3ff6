"""commbox.webhooks: each CommBox payload shape, a valid, a forged, a stale and a missing
Chatwoot signature, hostile bodies (XML bomb, external entity, oversized, not UTF-8,
truncated), a duplicate delivery showing the same delivery id, and both receiver examples
(http.server and Flask) answering real HTTP posts."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import http.client
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple

import pytest
from mock_server import REPO

import commbox
from commbox import webhooks

SECRET = "whsec_python"

MESSAGE_CREATED = json.dumps(
    {
        "event": "message_created",
        "id": 9,
        "content": "We shipped it",
        "message_type": "outgoing",
        "private": False,
        "sender": {"id": 1, "name": "Agent Smith", "type": "user"},
        "conversation": {"id": 3, "inbox_id": 1, "status": "open", "meta": {"sender": {"id": 5, "name": "John"}}},
        "account": {"id": 1, "name": "Acme"},
        "inbox": {"id": 1, "name": "API"},
    }
).encode()

EVENT_JSON = (
    b'{"Event": {"Subscription": "Tag", "Name": "OnAdd", "Brand": "acme", "Tag": {"tagId": "40", "name": "VIP"}}}'
)
PAYLOAD_JSON = (
    b'{"payload": {"Message": "Hello", "ManagerId": "0", "Snippet": "Hel", "Content": {"k": 1},'
    b' "User": {"Id": "77", "Phone1": "972501234567",'
    b' "Identity": {"Id": "88", "StreamProviderId": "972501234567", "StreamProviderType": "6"}}}}'
)
XML = (
    b'<Event Subscription="Object" Name="OnNewChild" Brand="acme"><Object Id="5001" StreamId="100">'
    b'<Children><Child Id="7001" CreateDate="26-03-2017 06:36:15" Type="4"><Message>Hi there</Message>'
    b"<ManagerId>12</ManagerId><Content>{&quot;k&quot;: 1}</Content></Child></Children></Object></Event>"
)
# Billion laughs: ten nested entities of ten references each (a billion "lol"s).
BOMB = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">'
    + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    + ']><Event Subscription="Object" Name="OnNew">&lol9;</Event>'
).encode()
XXE = (
    b'<!DOCTYPE e [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    b'<Event Subscription="Object" Name="OnNew"><Object Id="1"><Message>&xxe;</Message></Object></Event>'
)


def sign(body: bytes, *, secret: str = SECRET, age: float = 0, delivery: Optional[str] = "d-1") -> Dict[str, str]:
    """The headers Chatwoot sends with `body`, signed `age` seconds ago."""
    timestamp = str(int(time.time() - age))
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    headers = {"X-Chatwoot-Signature": f"sha256={digest}", "X-Chatwoot-Timestamp": timestamp}
    if delivery is not None:
        headers["X-Chatwoot-Delivery"] = delivery
    return headers


# -- CommBox ---------------------------------------------------------------------------------


def test_event_json_shape() -> None:
    event = webhooks.parse_commbox_delivery(EVENT_JSON, "application/json")
    assert (event.kind, event.format, event.entity, event.name, event.brand) == (
        "tag_changed",
        "event_json",
        "Tag",
        "OnAdd",
        "acme",
    )
    assert event.data == {"tagId": "40", "name": "VIP"}


def test_payload_json_shape() -> None:
    event = webhooks.parse_commbox_delivery(PAYLOAD_JSON, None)
    assert (event.kind, event.format) == ("new_conversation", "payload_json")
    assert event.object is not None and event.object.message == "Hello" and event.object.content == {"k": 1}
    user = event.object.user
    assert user is not None and user.phone1 == "972501234567" and user.identity is not None
    assert user.identity.stream_provider_type == commbox.StreamProviderType(6)


def test_xml_shape() -> None:
    event = webhooks.parse_commbox_delivery(XML, "text/xml; charset=utf-8")
    assert (event.kind, event.format) == ("new_message", "xml")
    child = event.child
    assert child is not None
    assert (child.id, child.object_id, child.message, child.manager_id) == (7001, 5001, "Hi there", 12)
    assert child.content == {"k": 1}
    assert child.object_type == commbox.ObjectType(4)
    assert child.created_date == "26-03-2017 06:36:15"


def test_status_change_is_activity_type_2() -> None:
    body = (
        b'<Event Subscription="Object" Name="OnNewActivity"><Object Id="5001"><Activity>'
        b"<ActivityType>2</ActivityType><Data>{&quot;statusId&quot;: 3}</Data></Activity></Object></Event>"
    )
    event = webhooks.parse_commbox_delivery(body, None)
    assert event.kind == "status_changed"
    assert event.activity is not None and event.activity.activity_type == 2
    assert event.activity.status == commbox.ObjectStatusType(3)


def test_record_is_the_json_form() -> None:
    event = webhooks.parse_commbox_delivery(XML, None)
    document = dataclasses.asdict(event)
    assert set(document) == {
        "kind",
        "entity",
        "name",
        "brand",
        "format",
        "object",
        "child",
        "activity",
        "user",
        "data",
        "raw",
    }
    assert document["raw"]["Event"]["Name"] == "OnNewChild"


def test_unknown_event_is_other_not_an_error() -> None:
    event = webhooks.parse_commbox_delivery(b'{"Event": {"Subscription": "Robot", "Name": "OnBeep", "Robot": {"x": 1}}}', None)
    assert (event.kind, event.entity, event.data) == ("other", "Robot", {"x": 1})


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(BOMB, id="xml-bomb"),
        pytest.param(XXE, id="external-entity"),
        pytest.param(b'<Event Subscription="Object" Name="OnNew">&xxe;</Event>', id="undeclared-entity"),
        pytest.param(b'{"Event": {"Subscription": "Ta', id="truncated-json"),
        pytest.param(b"<Event><Object>", id="truncated-xml"),
        pytest.param(b'{"a": "\xff\xfe"}', id="not-utf8"),
        pytest.param(b" " * (webhooks.MAX_DELIVERY_BYTES + 1), id="oversized"),
        pytest.param(b"", id="empty"),
    ],
)
def test_unreadable_bodies_are_decode_errors(body: bytes) -> None:
    started = time.monotonic()
    with pytest.raises(commbox.DecodeError) as caught:
        webhooks.parse_commbox_delivery(body, None)
    assert str(caught.value).startswith("body: ")
    assert "root:" not in str(caught.value)  # nothing of /etc/passwd
    assert time.monotonic() - started < 5  # nothing expanded


def test_exactly_max_delivery_bytes_is_read() -> None:
    body = b"{" + b" " * (webhooks.MAX_DELIVERY_BYTES - 2) + b"}"
    assert webhooks.parse_commbox_delivery(body, "application/json").kind == "other"


# -- Chatwoot --------------------------------------------------------------------------------


def test_valid_signature() -> None:
    delivery = webhooks.verify_chatwoot(MESSAGE_CREATED, sign(MESSAGE_CREATED), SECRET)
    assert delivery.verified and delivery.delivery_id == "d-1"
    assert isinstance(delivery.timestamp, int) and abs(delivery.timestamp - time.time()) < 5
    event = delivery.event
    assert (event.kind, event.event) == ("message_created", "message_created")
    assert event.message is not None and event.message.content == "We shipped it"
    assert event.message.message_type == "outgoing" and event.message.conversation_id == 3
    assert event.message.sender is not None and event.message.sender.sender_type == "user"
    assert event.conversation is not None and event.conversation.id == 3
    assert event.account is not None and event.account.name == "Acme"
    assert event.is_agent_public_reply()


def test_headers_in_any_case_any_mapping_and_secret_as_bytes() -> None:
    class Headers(Mapping[str, str]):
        def __init__(self, items: Dict[str, str]) -> None:
            self._items = items

        def __getitem__(self, key: str) -> str:
            return self._items[key]

        def __iter__(self) -> Iterator[str]:
            return iter(self._items)

        def __len__(self) -> int:
            return len(self._items)

    lower = {k.lower(): v for k, v in sign(MESSAGE_CREATED).items()}
    upper = Headers({k.upper(): v for k, v in sign(MESSAGE_CREATED).items()})
    assert webhooks.verify_chatwoot(MESSAGE_CREATED, lower, SECRET.encode()).verified
    assert webhooks.verify_chatwoot(MESSAGE_CREATED, upper, SECRET).delivery_id == "d-1"


def test_forged_signature() -> None:
    with pytest.raises(commbox.AuthenticationError) as caught:
        webhooks.verify_chatwoot(MESSAGE_CREATED, sign(MESSAGE_CREATED, secret="forger"), SECRET)
    assert str(caught.value).startswith("X-Chatwoot-Signature: ")
    # The body changed after signing.
    with pytest.raises(commbox.AuthenticationError):
        webhooks.verify_chatwoot(MESSAGE_CREATED + b" ", sign(MESSAGE_CREATED), SECRET)


def test_stale_signature_and_tolerance() -> None:
    stale = sign(MESSAGE_CREATED, age=600)
    with pytest.raises(commbox.AuthenticationError) as caught:
        webhooks.verify_chatwoot(MESSAGE_CREATED, stale, SECRET)
    assert str(caught.value).startswith("X-Chatwoot-Timestamp: ")
    with pytest.raises(commbox.AuthenticationError):
        webhooks.verify_chatwoot(MESSAGE_CREATED, sign(MESSAGE_CREATED, age=-600), SECRET)
    assert webhooks.verify_chatwoot(MESSAGE_CREATED, stale, SECRET, tolerance=900).verified
    with pytest.raises(commbox.AuthenticationError):
        webhooks.verify_chatwoot(MESSAGE_CREATED, sign(MESSAGE_CREATED, age=60), SECRET, tolerance=10.5)


def test_missing_signature() -> None:
    with pytest.raises(commbox.AuthenticationError) as caught:
        webhooks.verify_chatwoot(MESSAGE_CREATED, {"Content-Type": "application/json"}, SECRET)
    assert str(caught.value).startswith("X-Chatwoot-Signature: ")


def test_bad_arguments_are_validation_errors() -> None:
    with pytest.raises(commbox.ValidationError) as caught:
        webhooks.verify_chatwoot(MESSAGE_CREATED, sign(MESSAGE_CREATED), "")
    assert caught.value.field == "secret"
    with pytest.raises(commbox.ValidationError) as caught:
        webhooks.verify_chatwoot(MESSAGE_CREATED, sign(MESSAGE_CREATED), SECRET, tolerance=-1)
    assert caught.value.field == "tolerance"


def test_signed_but_unreadable_or_oversized_bodies() -> None:
    truncated = b'{"event": "message_created", "id": '
    with pytest.raises(commbox.DecodeError):
        webhooks.verify_chatwoot(truncated, sign(truncated), SECRET)
    huge = b" " * (webhooks.MAX_DELIVERY_BYTES + 1)
    with pytest.raises(commbox.DecodeError) as caught:
        webhooks.verify_chatwoot(huge, sign(huge), SECRET)
    assert str(caught.value).startswith("body: ")


def test_duplicate_delivery_shows_the_same_delivery_id() -> None:
    first = webhooks.verify_chatwoot(MESSAGE_CREATED, sign(MESSAGE_CREATED, delivery="0f1e-retry"), SECRET)
    again = webhooks.verify_chatwoot(MESSAGE_CREATED, sign(MESSAGE_CREATED, age=2, delivery="0f1e-retry"), SECRET)
    assert first.delivery_id == again.delivery_id == "0f1e-retry"
    assert first.event == again.event
    # What a receiver does with it: keep the first, drop the repeat.
    seen: Dict[str, webhooks.ChatwootDelivery] = {}
    for delivery in (first, again):
        assert delivery.delivery_id is not None
        seen.setdefault(delivery.delivery_id, delivery)
    assert list(seen.values()) == [first]


def test_private_notes_and_contact_messages_are_not_agent_replies() -> None:
    private = json.loads(MESSAGE_CREATED)
    private["private"] = True
    incoming = json.loads(MESSAGE_CREATED)
    incoming["message_type"] = "incoming"
    incoming["sender"] = {"id": 5, "type": "contact"}
    for body in (json.dumps(private).encode(), json.dumps(incoming).encode()):
        assert not webhooks.parse_chatwoot_event(body).is_agent_public_reply()


def test_parse_without_verification_and_unknown_events() -> None:
    event = webhooks.parse_chatwoot_event(
        b'{"event": "conversation_status_changed", "id": 3, "status": "resolved",'
        b' "changed_attributes": [{"status": {"current_value": "resolved"}}]}'
    )
    assert event.kind == "conversation_status_changed"
    assert event.conversation is not None and event.conversation.status == "resolved"
    other = webhooks.parse_chatwoot_event(b'{"event": "captain_thought_about_it", "id": 1}')
    assert (other.kind, other.event) == ("other", "captain_thought_about_it")
    assert not other.is_agent_public_reply()
    with pytest.raises(commbox.DecodeError):
        webhooks.parse_chatwoot_event(b"[1,")


# -- the examples, over HTTP -----------------------------------------------------------------

PATH_SECRET = "s3cr3t-path"


@pytest.fixture(params=["webhook_http_server", "webhook_flask"])
def receiver(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Tuple[str, Path]]:
    """An example receiver on a free port: its URL and its events file."""
    events = tmp_path / "events.jsonl"
    env = dict(
        os.environ,
        PORT="0",
        COMMBOX_WEBHOOK_PATH_SECRET=PATH_SECRET,
        CHATWOOT_WEBHOOK_SECRET=SECRET,
        EVENTS_FILE=str(events),
    )
    script = REPO / "examples" / "python" / f"{request.param}.py"
    proc = subprocess.Popen(
        [sys.executable, str(script)], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("listening on http://"), line
        yield line.split()[-1], events
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def post(url: str, body: bytes, headers: Mapping[str, str]) -> int:
    req = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as e:
        return int(e.code)


def oversized(url: str) -> int:
    """Announces a body of MAX_DELIVERY_BYTES + 1 and sends none of it: the receiver answers
    without reading it (or it would wait here for the body until the timeout)."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.netloc, timeout=10)
    try:
        conn.putrequest("POST", parts.path)
        conn.putheader("Content-Length", str(webhooks.MAX_DELIVERY_BYTES + 1))
        conn.endheaders()
        return conn.getresponse().status
    finally:
        conn.close()


def kept(events: Path) -> List[Dict[str, Any]]:
    if not events.exists():
        return []
    return [json.loads(line) for line in events.read_text().splitlines()]


def test_example_receivers(receiver: Tuple[str, Path]) -> None:
    url, events = receiver
    commbox_url = f"{url}/commbox/{PATH_SECRET}"
    assert post(commbox_url, EVENT_JSON, {"Content-Type": "application/json"}) == 200
    assert post(commbox_url, XML, {"Content-Type": "text/xml"}) == 200
    assert post(commbox_url, PAYLOAD_JSON, {}) == 200
    assert [e["event"]["kind"] for e in kept(events)] == ["tag_changed", "new_message", "new_conversation"]
    # Kept before acknowledged: the answer came after the line was written.
    assert post(f"{url}/commbox/wrong", EVENT_JSON, {}) == 404
    assert post(commbox_url, b'{"Event": {"Subscr', {}) == 400
    assert post(commbox_url, BOMB, {"Content-Type": "application/xml"}) == 400
    assert oversized(commbox_url) == 413

    assert post(f"{url}/chatwoot", MESSAGE_CREATED, {**sign(MESSAGE_CREATED, delivery="dup-1"), "Content-Type": "application/json"}) == 200
    # A retry: acknowledged, not kept twice.
    assert post(f"{url}/chatwoot", MESSAGE_CREATED, sign(MESSAGE_CREATED, age=1, delivery="dup-1")) == 200
    assert post(f"{url}/chatwoot", MESSAGE_CREATED, sign(MESSAGE_CREATED, secret="forger", delivery="f")) == 401
    assert post(f"{url}/chatwoot", MESSAGE_CREATED, sign(MESSAGE_CREATED, age=600, delivery="s")) == 401
    assert post(f"{url}/chatwoot", MESSAGE_CREATED, {}) == 401
    chatwoot = [e for e in kept(events) if e["source"] == "chatwoot"]
    assert [(e["delivery_id"], e["event"]["kind"], e["agent_public_reply"]) for e in chatwoot] == [
        ("dup-1", "message_created", True)
    ]
    assert len(kept(events)) == 4
