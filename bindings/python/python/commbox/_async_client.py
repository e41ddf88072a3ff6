"""The asyncio clients: the synchronous clients' calls, run in a thread pool.

:class:`AsyncClient` wraps :class:`Client`, :class:`AsyncInboxClient` wraps
:class:`InboxClient`; both run on :class:`_ThreadPoolRunner`.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import TYPE_CHECKING, Any, Callable, List, Mapping, Optional, Sequence, Tuple, Type, TypeVar, Union

from ._attachments import AttachmentLike
from ._chatwoot import ContactFields, ContactRef, InboxClient, SubmittedValues
from ._client import Client, ClientSettings, ObjectId, StreamId
from ._enums import ObjectStatusType
from ._models import ChatwootConversation, ChatwootMessage, Contact, Conversation, Envelope, Inbox, Manager, SystemStatus
from ._requests import ConversationOptions, MessageOptions, NewConversation, NewMessage, Recipient


def _loop() -> asyncio.AbstractEventLoop:
    # asyncio is imported on first use, not with the package: it is about half of
    # `import commbox`'s time, and most programs never touch the async clients.
    import asyncio

    return asyncio.get_running_loop()

if TYPE_CHECKING:
    import asyncio

    from typing_extensions import Self, Unpack

__all__ = ["AsyncClient", "AsyncInboxClient"]

_T = TypeVar("_T")

DEFAULT_MAX_WORKERS = 16
"""Default number of calls an :class:`AsyncClient` runs at once."""


class _ThreadPoolRunner:
    """What the async clients share: a thread pool of ``max_workers`` threads that runs the
    blocking calls of a synchronous client (which release the GIL, so they run in
    parallel), replaced in a forked child, shut down by :meth:`aclose`."""

    _max_workers: int
    _pid: int
    _executor: ThreadPoolExecutor

    def _start_pool(self, max_workers: int) -> None:
        self._max_workers = max_workers
        self._pid = os.getpid()
        self._executor = self._new_executor()

    def _new_executor(self) -> ThreadPoolExecutor:
        return ThreadPoolExecutor(max_workers=self._max_workers, thread_name_prefix="commbox")

    async def _run(self, call: Callable[[], _T]) -> _T:
        if self._pid != os.getpid():
            # A forked child has none of the parent's worker threads: a pool that believes
            # it has idle workers would never run the call.
            self._pid = os.getpid()
            self._executor = self._new_executor()
        return await _loop().run_in_executor(self._executor, call)

    def _close_sync(self) -> None:
        raise NotImplementedError

    async def aclose(self) -> None:
        """Waits for running calls, then releases the threads and the connection pool."""
        executor = self._executor
        await _loop().run_in_executor(None, executor.shutdown)
        self._close_sync()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        await self.aclose()

    def __reduce__(self) -> Any:
        raise TypeError(
            f"a commbox.{type(self).__name__} cannot be pickled: it holds threads, a connection "
            "pool and credentials. Create a client in each process from your settings."
        )

    def __copy__(self) -> Self:
        return self

    def __deepcopy__(self, memo: Any) -> Self:
        return self


class AsyncClient(_ThreadPoolRunner):
    """The :class:`Client`'s methods as coroutines, for asyncio code.

    This is not native async I/O: each call runs the blocking core in a thread pool of
    ``max_workers`` threads (default 16; the calls release the GIL, so they run in
    parallel), which keeps one well-tested transport for both. The other arguments are
    those of :class:`Client`. Cancelling an awaiting task does not stop a request already
    sent: it completes in its thread and its result is dropped.

    >>> async with commbox.AsyncClient(api_key="...") as client:     # doctest: +SKIP
    ...     id = await client.create_sms_conversation("STREAM", "+972544444444", "Hello")
    """

    def __init__(
        self,
        api_key: Optional[str] = None,
        *,
        base_url: Optional[str] = None,
        max_workers: int = DEFAULT_MAX_WORKERS,
        **settings: Unpack[ClientSettings],
    ) -> None:
        self._client = Client(api_key, base_url=base_url, **settings)
        self._start_pool(max_workers)

    def _close_sync(self) -> None:
        self._client.close()

    @property
    def sync_client(self) -> Client:
        """The synchronous client doing the work (shares the connection pool)."""
        return self._client

    @property
    def base_url(self) -> str:
        """The base URL requests go to."""
        return self._client.base_url

    @property
    def closed(self) -> bool:
        """True once :meth:`aclose` was called."""
        return self._client.closed

    def __repr__(self) -> str:
        state = ", closed" if self.closed else ""
        return f"commbox.AsyncClient(base_url={self.base_url!r}{state})"

    def inbox(self, base_url: str, inbox_identifier: str, *, max_workers: int = DEFAULT_MAX_WORKERS) -> AsyncInboxClient:
        """An :class:`AsyncInboxClient` for a Chatwoot inbox that shares this client's
        connection pool and settings (see :meth:`Client.inbox`), with its own thread pool of
        ``max_workers`` threads. Closing this client closes it too."""
        return AsyncInboxClient._wrap(self._client.inbox(base_url, inbox_identifier), max_workers)

    async def create_conversation(self, stream_id: StreamId, conversation: NewConversation) -> int:
        """See :meth:`Client.create_conversation`."""
        return await self._run(lambda: self._client.create_conversation(stream_id, conversation))

    async def create_email_conversation(
        self,
        stream_id: StreamId,
        identity: str,
        subject: str,
        message: str,
        *,
        to: Sequence[Recipient] = (),
        cc: Sequence[Recipient] = (),
        bcc: Sequence[Recipient] = (),
        attachment_urls: Sequence[Tuple[str, str]] = (),
        **options: Unpack[ConversationOptions],
    ) -> int:
        """See :meth:`Client.create_email_conversation`."""
        return await self._run(
            lambda: self._client.create_email_conversation(
                stream_id, identity, subject, message, to=to, cc=cc, bcc=bcc, attachment_urls=attachment_urls, **options
            )
        )

    async def create_sms_conversation(
        self, stream_id: StreamId, identity: str, message: str, **options: Unpack[ConversationOptions]
    ) -> int:
        """See :meth:`Client.create_sms_conversation`."""
        return await self._run(lambda: self._client.create_sms_conversation(stream_id, identity, message, **options))

    async def create_bulk_sms_conversation(
        self,
        stream_id: StreamId,
        identity: str,
        message: str,
        recipients: Sequence[str],
        *,
        send_to_client: Optional[bool] = None,
        **options: Unpack[ConversationOptions],
    ) -> int:
        """See :meth:`Client.create_bulk_sms_conversation`."""
        return await self._run(
            lambda: self._client.create_bulk_sms_conversation(
                stream_id, identity, message, recipients, send_to_client=send_to_client, **options
            )
        )

    async def create_whatsapp_template_conversation(
        self,
        stream_id: StreamId,
        identity: str,
        template: str,
        message: str,
        *,
        params: Sequence[str] = (),
        language: Optional[str] = None,
        to: Sequence[str] = (),
        **options: Unpack[ConversationOptions],
    ) -> int:
        """See :meth:`Client.create_whatsapp_template_conversation`."""
        return await self._run(
            lambda: self._client.create_whatsapp_template_conversation(
                stream_id, identity, template, message, params=params, language=language, to=to, **options
            )
        )

    async def create_chat_conversation(
        self,
        stream_id: StreamId,
        identity: str,
        message: str,
        *,
        create_child_object: Optional[bool] = None,
        **options: Unpack[ConversationOptions],
    ) -> int:
        """See :meth:`Client.create_chat_conversation`."""
        return await self._run(
            lambda: self._client.create_chat_conversation(
                stream_id, identity, message, create_child_object=create_child_object, **options
            )
        )

    async def create_conversation_json(self, stream_id: StreamId, obj: Mapping[str, Any]) -> int:
        """See :meth:`Client.create_conversation_json`."""
        return await self._run(lambda: self._client.create_conversation_json(stream_id, obj))

    async def get_conversation(self, stream_id: StreamId, object_id: ObjectId) -> Conversation:
        """See :meth:`Client.get_conversation`."""
        return await self._run(lambda: self._client.get_conversation(stream_id, object_id))

    async def set_conversation_status(self, object_id: ObjectId, status: Union[ObjectStatusType, int, str]) -> None:
        """See :meth:`Client.set_conversation_status`."""
        await self._run(lambda: self._client.set_conversation_status(object_id, status))

    async def create_message(self, stream_id: StreamId, object_id: ObjectId, message: NewMessage) -> int:
        """See :meth:`Client.create_message`."""
        return await self._run(lambda: self._client.create_message(stream_id, object_id, message))

    async def create_customer_message(
        self,
        stream_id: StreamId,
        object_id: ObjectId,
        identity: str,
        message: str = "",
        **options: Unpack[MessageOptions],
    ) -> int:
        """See :meth:`Client.create_customer_message`."""
        return await self._run(
            lambda: self._client.create_customer_message(stream_id, object_id, identity, message, **options)
        )

    async def create_agent_message(
        self,
        stream_id: StreamId,
        object_id: ObjectId,
        agent_id: int,
        identity: str,
        message: str = "",
        **options: Unpack[MessageOptions],
    ) -> int:
        """See :meth:`Client.create_agent_message`."""
        return await self._run(
            lambda: self._client.create_agent_message(stream_id, object_id, agent_id, identity, message, **options)
        )

    async def create_message_json(self, stream_id: StreamId, object_id: ObjectId, obj: Mapping[str, Any]) -> int:
        """See :meth:`Client.create_message_json`."""
        return await self._run(lambda: self._client.create_message_json(stream_id, object_id, obj))

    async def managers(self) -> List[Manager]:
        """See :meth:`Client.managers`."""
        return await self._run(self._client.managers)

    async def system_status(self) -> SystemStatus:
        """See :meth:`Client.system_status`."""
        return await self._run(self._client.system_status)

    async def raw_request(self, method: str, path: str, body: Any = None) -> Envelope:
        """See :meth:`Client.raw_request`."""
        return await self._run(lambda: self._client.raw_request(method, path, body))


class AsyncInboxClient(_ThreadPoolRunner):
    """The :class:`InboxClient`'s methods as coroutines, for asyncio code.

    Like :class:`AsyncClient`: each call runs the blocking core in a thread pool of
    ``max_workers`` threads (default 16). The other arguments are those of
    :class:`InboxClient`; :meth:`AsyncClient.inbox` makes one that shares a client's
    connection pool.

    >>> async with commbox.AsyncInboxClient("https://app.chatwoot.com", "tK9s3bVn") as inbox:  # doctest: +SKIP
    ...     contact = await inbox.create_contact(name="John Doe")
    ...     conversation = await inbox.create_conversation(contact)
    """

    _inbox: InboxClient

    def __init__(
        self,
        base_url: str,
        inbox_identifier: str,
        *,
        max_workers: int = DEFAULT_MAX_WORKERS,
        **settings: Unpack[ClientSettings],
    ) -> None:
        self._inbox = InboxClient(base_url, inbox_identifier, **settings)
        self._start_pool(max_workers)

    @classmethod
    def _wrap(cls, inbox: InboxClient, max_workers: int) -> AsyncInboxClient:
        """An AsyncInboxClient around a synchronous one (from ``AsyncClient.inbox``)."""
        wrapped = cls.__new__(cls)
        wrapped._inbox = inbox
        wrapped._start_pool(max_workers)
        return wrapped

    def _close_sync(self) -> None:
        self._inbox.close()

    @property
    def sync_client(self) -> InboxClient:
        """The synchronous inbox client doing the work (shares the connection pool)."""
        return self._inbox

    @property
    def base_url(self) -> str:
        """The Chatwoot installation requests go to."""
        return self._inbox.base_url

    @property
    def closed(self) -> bool:
        """True once :meth:`aclose` was called (or, for an inbox from
        :meth:`AsyncClient.inbox`, once that client was closed)."""
        return self._inbox.closed

    def __repr__(self) -> str:
        state = ", closed" if self.closed else ""
        return f"commbox.AsyncInboxClient(base_url={self.base_url!r}{state})"

    async def inbox(self) -> Inbox:
        """See :meth:`InboxClient.inbox`."""
        return await self._run(self._inbox.inbox)

    async def create_contact(self, *, source_id: Optional[str] = None, **fields: Unpack[ContactFields]) -> Contact:
        """See :meth:`InboxClient.create_contact`."""
        return await self._run(lambda: self._inbox.create_contact(source_id=source_id, **fields))

    async def get_contact(
        self,
        contact: ContactRef,
        *,
        identifier: Optional[str] = None,
        identifier_hash: Optional[str] = None,
        hmac_token: Optional[str] = None,
    ) -> Contact:
        """See :meth:`InboxClient.get_contact`."""
        return await self._run(
            lambda: self._inbox.get_contact(
                contact, identifier=identifier, identifier_hash=identifier_hash, hmac_token=hmac_token
            )
        )

    async def update_contact(self, contact: ContactRef, **fields: Unpack[ContactFields]) -> Contact:
        """See :meth:`InboxClient.update_contact`."""
        return await self._run(lambda: self._inbox.update_contact(contact, **fields))

    async def create_conversation(
        self, contact: ContactRef, custom_attributes: Optional[Mapping[str, Any]] = None
    ) -> ChatwootConversation:
        """See :meth:`InboxClient.create_conversation`."""
        return await self._run(lambda: self._inbox.create_conversation(contact, custom_attributes))

    async def list_conversations(self, contact: ContactRef) -> List[ChatwootConversation]:
        """See :meth:`InboxClient.list_conversations`."""
        return await self._run(lambda: self._inbox.list_conversations(contact))

    async def get_conversation(self, contact: ContactRef, conversation_id: int) -> ChatwootConversation:
        """See :meth:`InboxClient.get_conversation`."""
        return await self._run(lambda: self._inbox.get_conversation(contact, conversation_id))

    async def resolve_conversation(self, contact: ContactRef, conversation_id: int) -> ChatwootConversation:
        """See :meth:`InboxClient.resolve_conversation`."""
        return await self._run(lambda: self._inbox.resolve_conversation(contact, conversation_id))

    async def set_typing(self, contact: ContactRef, conversation_id: int, typing: bool) -> None:
        """See :meth:`InboxClient.set_typing`."""
        await self._run(lambda: self._inbox.set_typing(contact, conversation_id, typing))

    async def update_last_seen(self, contact: ContactRef, conversation_id: int) -> None:
        """See :meth:`InboxClient.update_last_seen`."""
        await self._run(lambda: self._inbox.update_last_seen(contact, conversation_id))

    async def create_message(
        self,
        contact: ContactRef,
        conversation_id: int,
        content: str = "",
        *,
        echo_id: Optional[str] = None,
        attachments: Sequence[AttachmentLike] = (),
    ) -> ChatwootMessage:
        """See :meth:`InboxClient.create_message`."""
        return await self._run(
            lambda: self._inbox.create_message(
                contact, conversation_id, content, echo_id=echo_id, attachments=attachments
            )
        )

    async def list_messages(
        self, contact: ContactRef, conversation_id: int, before: Optional[int] = None
    ) -> List[ChatwootMessage]:
        """See :meth:`InboxClient.list_messages`."""
        return await self._run(lambda: self._inbox.list_messages(contact, conversation_id, before))

    async def update_message(
        self, contact: ContactRef, conversation_id: int, message_id: int, submitted_values: SubmittedValues
    ) -> ChatwootMessage:
        """See :meth:`InboxClient.update_message`."""
        return await self._run(
            lambda: self._inbox.update_message(contact, conversation_id, message_id, submitted_values)
        )
