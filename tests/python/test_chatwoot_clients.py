"""The Chatwoot inbox client as the CommBox client is: asyncio, threads, logging without the
identifiers, a forked child, pickling and repr; and Client.inbox(), which shares the
client's connection pool."""

from __future__ import annotations

import asyncio
import copy
import inspect
import logging
import pickle
import threading
import time
from typing import List, Set

import pytest
from mock_server import CHATWOOT_INBOX, DEFAULT_KEY, STREAM, MockServer
from test_fork import in_child

import commbox


def test_50_concurrent_messages(mock: MockServer) -> None:
    async def main() -> List[int]:
        async with commbox.AsyncInboxClient(mock.url, CHATWOOT_INBOX, max_workers=16) as inbox:
            contact = await inbox.create_contact(source_id="async-1")
            conversation = await inbox.create_conversation(contact)
            messages = await asyncio.gather(
                *(inbox.create_message(contact, conversation.id, f"n{i}") for i in range(50))
            )
            assert {m.conversation_id for m in messages} == {conversation.id}
            return [m.id for m in messages]

    ids = asyncio.run(main())
    assert len(set(ids)) == 50
    (stored,) = mock.chatwoot()["conversations"]
    assert {m["id"] for m in stored["messages"]} == set(ids)
    assert sorted(m["content"] for m in stored["messages"]) == sorted(f"n{i}" for i in range(50))


def test_every_async_call_and_its_errors(mock: MockServer) -> None:
    async def main() -> None:
        async with commbox.AsyncInboxClient(mock.url, CHATWOOT_INBOX) as inbox:
            assert (await inbox.inbox()).identifier == CHATWOOT_INBOX
            contact = await inbox.create_contact(source_id="a-1", name="Async")
            assert (await inbox.get_contact(contact)).name == "Async"
            assert (await inbox.update_contact(contact, name="Renamed")).name == "Renamed"
            conversation = await inbox.create_conversation("a-1", {"k": "v"})
            assert [c.id for c in await inbox.list_conversations(contact)] == [conversation.id]
            message = await inbox.create_message(contact, conversation.id, "m", attachments=[("a.txt", b"a")])
            await inbox.set_typing(contact, conversation.id, True)
            await inbox.update_last_seen(contact, conversation.id)
            assert [m.id for m in await inbox.list_messages(contact, conversation.id)] == [message.id]
            assert await inbox.list_messages(contact, conversation.id, before=message.id) == []
            await inbox.update_message(contact, conversation.id, message.id, [{"name": "a", "value": "b"}])
            assert (await inbox.resolve_conversation(contact, conversation.id)).status == "resolved"
            assert len((await inbox.get_conversation(contact, conversation.id)).messages) == 1
            with pytest.raises(commbox.ValidationError):
                await inbox.create_contact(phone_number="123")
            with pytest.raises(commbox.NotFoundError):
                await inbox.get_contact("nobody")
        assert inbox.closed

    asyncio.run(main())


def public(cls: type) -> Set[str]:
    return {n for n, v in vars(cls).items() if not n.startswith("_") and inspect.isfunction(v)}


def test_the_async_inbox_has_the_same_methods() -> None:
    sync_calls = public(commbox.InboxClient) - {"close"}
    assert sync_calls == public(commbox.AsyncInboxClient)
    # These return async iterators (nothing to await before the first item).
    iterators = {"iter_messages", "live"}
    for name in sync_calls:
        is_coroutine = inspect.iscoroutinefunction(getattr(commbox.AsyncInboxClient, name))
        assert is_coroutine != (name in iterators), name
        sync_params = inspect.signature(getattr(commbox.InboxClient, name)).parameters
        async_params = inspect.signature(getattr(commbox.AsyncInboxClient, name)).parameters
        assert list(sync_params) == list(async_params), name
        assert [p.default for p in sync_params.values()] == [p.default for p in async_params.values()], name


def test_threads_share_one_inbox(inbox: commbox.InboxClient) -> None:
    contact = inbox.create_contact()
    conversation = inbox.create_conversation(contact)
    errors: List[BaseException] = []

    def post(n: int) -> None:
        try:
            for i in range(5):
                inbox.create_message(contact, conversation.id, f"t{n}-{i}")
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=post, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(inbox.get_conversation(contact, conversation.id).messages) == 40


def test_inbox_calls_release_the_gil(inbox: commbox.InboxClient, mock: MockServer) -> None:
    # Four calls answered after 500 ms each take about 500 ms together only if they run in
    # parallel, which needs the GIL released while each one waits.
    mock.fault(delay_ms=500, count=4)
    threads = [threading.Thread(target=inbox.inbox) for _ in range(4)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert time.monotonic() - started < 1.5
    assert [r["status"] for r in mock.requests()] == [200] * 4


def test_log_records_hide_the_identifiers(
    inbox: commbox.InboxClient, mock: MockServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="commbox")
    contact = inbox.create_contact(source_id="secret-source-id")
    conversation = inbox.create_conversation(contact)
    inbox.list_messages(contact, conversation.id, before=7)
    with pytest.raises(commbox.NotFoundError):
        inbox.get_contact("another-secret-id")
    records = [r for r in caplog.records if r.name == "commbox"]
    sent = mock.requests()
    assert [getattr(r, "commbox_path") for r in records] == [
        "/public/api/v1/inboxes/{inbox}/contacts",
        "/public/api/v1/inboxes/{inbox}/contacts/{contact}/conversations",
        f"/public/api/v1/inboxes/{{inbox}}/contacts/{{contact}}/conversations/{conversation.id}/messages",
        "/public/api/v1/inboxes/{inbox}/contacts/{contact}",
    ]
    create = records[0]
    assert create.levelno == logging.DEBUG
    assert create.getMessage() == (
        f"POST /public/api/v1/inboxes/{{inbox}}/contacts -> 200 in {getattr(create, 'commbox_duration_ms'):.1f} ms, "
        f"0 retries, request id {sent[0]['headers']['x-request-id']}"
    )
    assert getattr(records[-1], "commbox_status") == 404
    assert getattr(records[-1], "commbox_error") == "not_found"
    # The wire carries the real identifiers; nothing a log or repr shows does.
    assert sent[1]["path"] == "/public/api/v1/inboxes/mock-inbox/contacts/secret-source-id/conversations"
    shown = [repr(inbox), repr(inbox._native), str(inbox)]
    for record in records:
        shown.append(record.getMessage())
        shown.extend(str(v) for v in vars(record).values())
    for secret in (CHATWOOT_INBOX, "secret-source-id", "another-secret-id"):
        assert not [text for text in shown if secret in text], secret


def test_client_inbox_shares_the_pool(mock: MockServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="commbox")
    with commbox.Client(api_key=DEFAULT_KEY, base_url=mock.url, max_retries=0, user_agent="app/1") as client:
        inbox = client.inbox(mock.url + "/", CHATWOOT_INBOX)
        assert isinstance(inbox, commbox.InboxClient)
        assert inbox.base_url == mock.url
        contact = inbox.create_contact(name="Shared")
        client.system_status()
        inbox.create_conversation(contact)
        # The client's settings apply: no retries, its User-Agent.
        mock.fault(status=503)
        with pytest.raises(commbox.ServerError):
            inbox.inbox()
        sent = mock.requests()
        assert len(sent) == 4
        chatwoot = [r for r in sent if r["path"].startswith("/public/")]
        assert len(chatwoot) == 3
        assert all("authorization" not in r["headers"] for r in chatwoot), "the API key never goes to Chatwoot"
        assert [r["headers"].get("authorization") for r in sent if r not in chatwoot] == ["Bearer ***"]
        assert all(r["headers"]["user-agent"].endswith("app/1") for r in sent)
        assert len([r for r in caplog.records if r.name == "commbox"]) == 4
        # Closing the inbox leaves the client alone.
        inbox.close()
        assert inbox.closed and not client.closed
        with pytest.raises(commbox.CommboxError, match="closed"):
            inbox.inbox()
        client.system_status()
        # Closing the client closes the inboxes made from it.
        other = client.inbox(mock.url, CHATWOOT_INBOX)
    assert other.closed
    with pytest.raises(commbox.CommboxError, match="closed"):
        other.inbox()


def test_async_client_inbox(mock: MockServer) -> None:
    async def main() -> None:
        async with commbox.AsyncClient(api_key=DEFAULT_KEY, base_url=mock.url) as client:
            async with client.inbox(mock.url, CHATWOOT_INBOX) as inbox:
                assert isinstance(inbox, commbox.AsyncInboxClient)
                assert (await inbox.inbox()).identifier == CHATWOOT_INBOX
                assert inbox.sync_client.base_url == mock.url
                await client.system_status()
            assert inbox.closed and not client.closed

    asyncio.run(main())
    assert "authorization" not in mock.requests()[0]["headers"]


pytestmark_fork = pytest.mark.filterwarnings("ignore:.*fork.*:DeprecationWarning")


@pytestmark_fork
def test_forked_child_rebuilds_its_inbox(inbox: commbox.InboxClient, mock: MockServer) -> None:
    contact = inbox.create_contact(source_id="fork-1")
    conversation = inbox.create_conversation(contact)

    def child() -> int:
        message = inbox.create_message(contact, conversation.id, "from the child")
        inbox.close()
        return 0 if message.id > 0 else 1

    assert in_child(child) == 0
    inbox.create_message(contact, conversation.id, "from the parent")
    contents = [m.content for m in inbox.list_messages(contact, conversation.id)]
    assert contents == ["from the child", "from the parent"]


@pytestmark_fork
def test_forked_child_uses_a_shared_inbox(client: commbox.Client, mock: MockServer) -> None:
    inbox = client.inbox(mock.url, CHATWOOT_INBOX)
    inbox.inbox()
    client.system_status()

    def child() -> int:
        ok = inbox.inbox().identifier == CHATWOOT_INBOX and client.system_status().http_status == 200
        client.close()
        return 0 if ok and inbox.closed else 1

    assert in_child(child) == 0
    assert inbox.inbox().identifier == CHATWOOT_INBOX
    ids = [r["headers"]["x-request-id"] for r in mock.requests()]
    assert len(ids) == 5 and len(set(ids)) == 5


def test_inbox_clients_are_not_picklable(inbox: commbox.InboxClient, mock: MockServer) -> None:
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(inbox)
    with pytest.raises(TypeError):
        pickle.dumps(inbox._native)
    assert copy.copy(inbox) is inbox and copy.deepcopy([inbox])[0] is inbox
    async_inbox = commbox.AsyncInboxClient(mock.url, CHATWOOT_INBOX)
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(async_inbox)
    assert copy.copy(async_inbox) is async_inbox
    assert repr(async_inbox) == f"commbox.AsyncInboxClient(base_url={mock.url!r})"


def test_repr_never_shows_the_inbox_identifier(mock: MockServer) -> None:
    identifier = "tK9s3bVnQ1jUq3rP8kE2xYzA"
    with commbox.InboxClient(mock.url, identifier) as inbox:
        assert repr(inbox) == f"commbox.InboxClient(base_url={mock.url!r})"
        for text in (repr(inbox), str(inbox), repr(inbox._native), repr(vars(inbox))):
            assert identifier not in text
        with pytest.raises(commbox.NotFoundError) as e:
            inbox.inbox()
        assert identifier not in str(e.value) and identifier not in repr(e.value)


def test_commbox_calls_still_work_beside_an_inbox(client: commbox.Client, mock: MockServer) -> None:
    inbox = client.inbox(mock.url, CHATWOOT_INBOX)
    conversation = client.create_sms_conversation(STREAM, "972544444444", "hi")
    inbox.create_contact()
    assert client.get_conversation(STREAM, conversation).id == conversation

