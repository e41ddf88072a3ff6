"""A contact's live replies and a conversation's whole history, against the mock: the
agent's reply arrives (blocking and asyncio), a send's ``echo_id`` comes back, a dropped
socket is reopened (a ``reconnected`` event, then the next reply), a rejected token raises
AuthenticationError, ``close()`` from another thread ends a blocked iteration, and
``iter_messages`` walks 45 messages with the page requests the API expects."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any, Dict, List, Optional, Tuple, Union

import pytest
from mock_server import CHATWOOT_INBOX, MockServer

import commbox
from commbox import MessageType

WAIT = 10.0
# Reconnect fast: the tests drop the socket on purpose.
FAST: commbox.LiveOptions = {"initial_backoff": 0.05, "max_backoff": 0.2}


def agent_reply(mock: MockServer, conversation_id: int, content: str) -> None:
    """The mock's agent answers in the conversation (to its webhooks and the contact's cable)."""
    mock._call("POST", "/__mock/chatwoot/agent_reply", {"conversation_id": conversation_id, "content": content})


def drop_cables(mock: MockServer) -> None:
    """The mock closes every /cable socket without a close frame, as a network drop would."""
    mock._call("POST", "/__mock/cable/drop", {})


def open_conversation(inbox: commbox.InboxClient, source_id: str) -> Tuple[commbox.Contact, int]:
    contact = inbox.create_contact(source_id=source_id, name="Dana")
    return contact, inbox.create_conversation(contact).id


def subscribed(inbox: commbox.InboxClient, live: commbox.LiveReplies, contact: commbox.Contact, conv: int) -> commbox.LiveEvent:
    """Sends messages with echo ids until one comes back: the mock does not replay what was
    broadcast before the socket was subscribed. Returns the echo."""
    for n in range(40):
        inbox.create_message(contact, conv, f"ping {n}", echo_id=f"sub-{n}")
        try:
            return live.wait_for_echo(f"sub-{n}", timeout=0.5)
        except commbox.TimeoutError:
            continue
    raise AssertionError("never subscribed")


def next_agent_reply(live: commbox.LiveReplies) -> commbox.LiveEvent:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        event = live.next(timeout=WAIT)
        if event is not None and event.is_agent_reply():
            return event
    raise AssertionError("no agent reply in time")


def test_an_agent_reply_an_echo_and_a_reconnect(inbox: commbox.InboxClient, mock: MockServer) -> None:
    contact, conv = open_conversation(inbox, "live-sync")
    with inbox.live(contact, **FAST) as live:
        echo = subscribed(inbox, live, contact, conv)
        assert echo.kind == "message_created" and echo.event == "message.created"
        assert echo.echo_id is not None and echo.echo_id.startswith("sub-")
        assert not echo.is_agent_reply(), "the contact's own message"
        assert echo.message is not None and echo.message.message_type is MessageType.INCOMING
        assert echo.conversation_id == conv

        # The echo of a message sent now, by id, with others possibly read meanwhile.
        sent = inbox.create_message(contact, conv, "Is it shipped?", echo_id="q-1")
        mine = live.wait_for_echo("q-1", timeout=WAIT)
        assert mine.message is not None and (mine.message.id, mine.message.content) == (sent.id, "Is it shipped?")

        agent_reply(mock, conv, "Yes, this morning.")
        reply = next_agent_reply(live)
        assert reply.message is not None
        assert (reply.message.content, reply.message.message_type) == ("Yes, this morning.", MessageType.OUTGOING)
        assert reply.conversation_id == conv and reply.raw["event"] == "message.created"

        # The mock drops every socket: the subscription comes back and says so first.
        drop_cables(mock)
        back = live.next(timeout=WAIT)
        assert back is not None and back.kind == "reconnected", back
        assert (back.event, back.message, back.raw) == (None, None, None)
        agent_reply(mock, conv, "After the drop.")
        after = next_agent_reply(live)
        assert after.message is not None and after.message.content == "After the drop."


def test_next_with_a_timeout_and_close_from_another_thread(inbox: commbox.InboxClient) -> None:
    contact, _ = open_conversation(inbox, "live-close")
    live = inbox.live(contact, **FAST)
    started = time.monotonic()
    assert live.next(timeout=0.3) is None, "nothing is sent to a quiet contact"
    assert time.monotonic() - started >= 0.3

    # The wait releases the GIL: another thread runs Python code meanwhile, and closes.
    ticks = 0

    def tick_then_close() -> None:
        nonlocal ticks
        end = time.monotonic() + 0.5
        while time.monotonic() < end:
            ticks += 1
        live.close()

    closer = threading.Thread(target=tick_then_close)
    closer.start()
    events = list(live)  # blocks until the other thread closes
    closer.join()
    assert ticks > 1000
    assert [e.kind for e in events] == []
    with pytest.raises(StopIteration):
        live.next(timeout=1)
    live.close()  # twice: nothing


def test_a_rejected_token_raises_authentication_error_once(inbox: commbox.InboxClient) -> None:
    with inbox.live("not-a-token", **FAST) as live:
        with pytest.raises(commbox.AuthenticationError):
            live.next(timeout=WAIT)
        assert list(live) == [], "the iteration ends after the final error"


def test_tokens_and_options_are_checked_before_anything_runs(inbox: commbox.InboxClient) -> None:
    with pytest.raises(commbox.ValidationError) as blank:
        inbox.live(" ")
    assert blank.value.field == "pubsub_token"
    updated = commbox.Contact(id=1, source_id=None, pubsub_token=None)
    with pytest.raises(commbox.ValidationError):
        inbox.live(updated)
    with pytest.raises(commbox.ValidationError) as negative:
        inbox.live("token", silence_timeout=-1)
    assert negative.value.field == "silence_timeout"
    with pytest.raises(TypeError):
        inbox.live("token", reconnect=True)  # type: ignore[call-arg]


def test_async_an_agent_reply_arrives_and_aclose_ends_the_iteration(mock: MockServer) -> None:
    async def main() -> None:
        async with commbox.AsyncInboxClient(mock.url, CHATWOOT_INBOX, timeout=10) as inbox:
            contact = await inbox.create_contact(source_id="live-async")
            conv = (await inbox.create_conversation(contact)).id
            async with inbox.live(contact, **FAST) as live:
                for n in range(40):
                    await inbox.create_message(contact, conv, "hi", echo_id=f"a-{n}")
                    try:
                        echo = await live.wait_for_echo(f"a-{n}", timeout=0.5)
                        break
                    except commbox.TimeoutError:
                        continue
                else:
                    raise AssertionError("never subscribed")
                assert not echo.is_agent_reply()
                agent_reply(mock, conv, "Hello from the agent")

                async def first_reply() -> commbox.LiveEvent:
                    async for event in live:
                        if event.is_agent_reply():
                            return event
                    raise AssertionError("ended without a reply")

                reply = await asyncio.wait_for(first_reply(), WAIT)
                assert reply.message is not None and reply.message.content == "Hello from the agent"

                # A wait cancelled by a timeout loses nothing: the next reply still comes.
                with pytest.raises(asyncio.TimeoutError):
                    await asyncio.wait_for(live.__anext__(), 0.2)
                agent_reply(mock, conv, "Second")
                second = await asyncio.wait_for(first_reply(), WAIT)
                assert second.message is not None and second.message.content == "Second"
            assert [e async for e in live] == [], "closed by the async with block"

            async with inbox.live("not-a-token", **FAST) as rejected:
                with pytest.raises(commbox.AuthenticationError):
                    await asyncio.wait_for(rejected.__anext__(), WAIT)

    asyncio.run(main())


def page_requests(mock: MockServer, conv: int) -> List[Optional[str]]:
    """The query of every message-list request of the conversation, in order."""
    suffix = f"/conversations/{conv}/messages"
    return [r.get("query") or None for r in mock.requests() if r["method"] == "GET" and r["path"].endswith(suffix)]


def test_iter_messages_walks_every_page_lazily(inbox: commbox.InboxClient, mock: MockServer) -> None:
    contact, conv = open_conversation(inbox, "history")
    ids = [inbox.create_message(contact, conv, f"m{i}").id for i in range(45)]

    messages = inbox.iter_messages(contact, conv)
    assert page_requests(mock, conv) == [], "nothing is fetched before the iterator is read"
    first = [next(messages) for _ in range(20)]
    assert [m.id for m in first] == ids[::-1][:20]
    assert page_requests(mock, conv) == [None], "one page for the first 20"
    rest = list(messages)
    assert [m.id for m in first + rest] == ids[::-1]
    assert [m.content for m in rest][-1] == "m0"
    # The latest 20, then 20 before the oldest seen, then 5, then an empty page ends it.
    assert page_requests(mock, conv) == [None, f"before={ids[25]}", f"before={ids[5]}", f"before={ids[0]}"]


def test_iter_messages_async_and_an_error_ends_the_walk(mock: MockServer, inbox: commbox.InboxClient) -> None:
    contact, conv = open_conversation(inbox, "history-async")
    ids = [inbox.create_message(contact, conv, f"m{i}").id for i in range(23)]

    async def main() -> List[int]:
        async with commbox.AsyncInboxClient(mock.url, CHATWOOT_INBOX, timeout=10) as a:
            return [m.id async for m in a.iter_messages(contact, conv)]

    assert asyncio.run(main()) == ids[::-1]
    assert page_requests(mock, conv) == [None, f"before={ids[3]}", f"before={ids[0]}"]

    missing = inbox.iter_messages(contact, 999999)
    with pytest.raises(commbox.NotFoundError):
        next(missing)
    assert list(missing) == [], "an error is raised once and ends the iteration"


@pytest.mark.filterwarnings("ignore:.*fork.*:DeprecationWarning")
def test_a_subscription_inherited_by_a_forked_child_refuses_to_wait(inbox: commbox.InboxClient) -> None:
    from test_fork import in_child

    contact, _ = open_conversation(inbox, "live-fork")
    with inbox.live(contact, **FAST) as live:

        def child() -> int:
            try:
                live.next(timeout=0.1)
            except commbox.ValidationError as e:
                return 0 if e.field == "live" else 2
            return 1

        assert in_child(child, deadline=10) == 0
        assert live.next(timeout=0.1) is None, "the parent's subscription still works"
