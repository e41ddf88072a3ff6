"""AsyncClient: the same calls as coroutines, native awaitables that run concurrently."""

from __future__ import annotations

import asyncio
import inspect
import time
from typing import List

import pytest
from mock_server import DEFAULT_KEY, STREAM, MockServer

import commbox


def test_100_concurrent_sends(mock: MockServer) -> None:
    async def main() -> List[int]:
        async with commbox.AsyncClient(api_key=DEFAULT_KEY, base_url=mock.url) as client:
            return await asyncio.gather(
                *(client.create_sms_conversation(STREAM, "972544444444", f"n{i}") for i in range(100))
            )

    ids = asyncio.run(main())
    assert len(set(ids)) == 100
    assert {o["id"] for o in mock.objects()} == set(ids)


def test_calls_overlap(mock: MockServer) -> None:
    mock.fault(delay_ms=500, count=8)

    async def main() -> None:
        async with commbox.AsyncClient(api_key=DEFAULT_KEY, base_url=mock.url, max_workers=8) as client:
            await asyncio.gather(*(client.system_status() for _ in range(8)))

    started = time.monotonic()
    asyncio.run(main())
    assert time.monotonic() - started < 2.0


def test_every_call_and_its_errors(mock: MockServer) -> None:
    async def main() -> None:
        async with commbox.AsyncClient(api_key=DEFAULT_KEY, base_url=mock.url) as client:
            conversation = await client.create_conversation(
                STREAM, commbox.EmailConversation("a@b.co", "Subject", "Body", attachments=[("a.txt", b"x")])
            )
            await client.create_email_conversation(STREAM, "a@b.co", "s", "m")
            await client.create_bulk_sms_conversation(STREAM, "972544444444", "m", ["972522222222"])
            await client.create_whatsapp_template_conversation(STREAM, "972544444444", "t", "m", params=["p"])
            await client.create_chat_conversation(STREAM, "972544444444", "m")
            await client.create_conversation_json(
                STREAM, {"Type": 4, "UserStreamProviderId": "1", "UserStreamProviderType": 5, "Message": "m"}
            )
            agent = (await client.managers())[0].id
            await client.create_message(STREAM, conversation, commbox.NewMessage.from_customer("a@b.co", "m"))
            await client.create_customer_message(STREAM, conversation, "a@b.co", "m")
            await client.create_agent_message(STREAM, conversation, agent, "best.agent@commbox.com", "m")
            await client.create_message_json(
                STREAM, conversation, {"Type": 4, "UserStreamProviderId": "a@b.co", "UserStreamProviderType": 4,
                                       "Message": "m"}
            )
            await client.set_conversation_status(conversation, commbox.ObjectStatusType.RESOLVED)
            got = await client.get_conversation(STREAM, conversation)
            assert got.status is commbox.ObjectStatusType.RESOLVED
            assert len(got.messages) == 4
            assert (await client.system_status()).http_status == 200
            assert (await client.raw_request("GET", "/managers")).data[0]["id"] == agent
            with pytest.raises(commbox.ValidationError):
                await client.create_sms_conversation(STREAM, "phone", "m")
            with pytest.raises(commbox.NotFoundError):
                await client.get_conversation(STREAM, 999999)
        assert client.closed

    asyncio.run(main())


def test_same_methods_as_the_sync_client() -> None:
    def public(cls: type) -> set[str]:
        return {n for n, v in vars(cls).items() if not n.startswith("_") and inspect.isfunction(v)}

    # inbox() only makes a client (no I/O): a plain method on both.
    sync_calls = public(commbox.Client) - {"close", "inbox"}
    async_calls = public(commbox.AsyncClient) - {"aclose", "inbox"}
    assert sync_calls == async_calls
    assert not inspect.iscoroutinefunction(commbox.AsyncClient.inbox)
    for name in async_calls:
        assert inspect.iscoroutinefunction(getattr(commbox.AsyncClient, name)), name
        sync_params = list(inspect.signature(getattr(commbox.Client, name)).parameters)
        async_params = list(inspect.signature(getattr(commbox.AsyncClient, name)).parameters)
        assert sync_params == async_params, name
