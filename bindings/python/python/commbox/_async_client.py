"""The asyncio clients: the core's async calls, awaited natively.

:class:`AsyncClient` and :class:`AsyncInboxClient` wrap a :class:`Client` and an
:class:`InboxClient` (their ``sync_client``) and make the same calls through the native
async clients (``commbox._commbox.NativeAsyncClient``), whose methods return awaitables
driven by the core's async code on one runtime thread of the process: no thread per call.
Arguments and results go through the same conversions as the sync clients' (the request
classes' ``_form()``, ``_source_id``, ``_contact_spec``, the records' ``_from_native``).
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Any, AsyncIterator, List, Mapping, Optional, Sequence, Tuple, Type, Union

from . import _commbox
from ._attachments import AttachmentLike
from ._chatwoot import (
    ContactFields,
    ContactRef,
    InboxClient,
    SubmittedValues,
    _contact_spec,
    _message_spec,
    _source_id,
)
from ._client import Client, ClientSettings, ObjectId, StreamId, _conversation_form, _message_form
from ._enums import ObjectStatusType
from ._errors import _not_utf8
from ._live import AsyncLiveReplies, LiveOptions, _pubsub_token
from ._models import ChatwootConversation, ChatwootMessage, Contact, Conversation, Envelope, Inbox, Manager, SystemStatus
from ._requests import (
    BulkSmsConversation,
    ChatConversation,
    ConversationOptions,
    EmailConversation,
    MessageOptions,
    NewConversation,
    NewMessage,
    Recipient,
    SmsConversation,
    WhatsAppTemplateConversation,
)

if TYPE_CHECKING:
    from typing_extensions import Self, Unpack

__all__ = ["AsyncClient", "AsyncInboxClient"]

DEFAULT_MAX_WORKERS = 16
"""The default of the async clients' ``max_workers``, which is accepted for compatibility
and has no effect: calls no longer run on threads."""


class _AsyncBase:
    """What the async clients share: closing, ``async with``, no pickling."""

    def _close_sync(self) -> None:
        raise NotImplementedError

    async def aclose(self) -> None:
        """Releases the connection pool; later calls raise :class:`CommboxError`. Returns at
        once: calls still running keep the pool until they end, and calls whose tasks were
        cancelled were stopped with them."""
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
            f"a commbox.{type(self).__name__} cannot be pickled: it holds a connection "
            "pool and credentials. Create a client in each process from your settings."
        )

    def __copy__(self) -> Self:
        return self

    def __deepcopy__(self, memo: Any) -> Self:
        return self


class AsyncClient(_AsyncBase):
    """The :class:`Client`'s methods as coroutines, for asyncio code (uvloop too).

    Native async I/O: each call is the core's async call, run on one runtime thread that
    the process's async clients share, with no thread per call and without the GIL while
    it waits; a thousand concurrent calls are a thousand tasks on that thread. The
    arguments are those of :class:`Client` (``max_workers`` is accepted for compatibility
    and has no effect).

    Cancelling the awaiting task (``task.cancel()``, ``asyncio.wait_for``, a
    ``TaskGroup`` failing) stops the call: one not sent yet (waiting to start, for a
    ``Retry-After`` or a retry's backoff) never reaches the server; one already sent is
    abandoned and, for a create, logged as a WARNING that the server may have processed it.

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
        self._native = _commbox.NativeAsyncClient(self._client._native)

    def _close_sync(self) -> None:
        self._client.close()

    @property
    def sync_client(self) -> Client:
        """The synchronous client on the same connection pool and settings."""
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
        connection pool and settings (see :meth:`Client.inbox`; ``max_workers`` has no
        effect). Closing this client closes it too."""
        return AsyncInboxClient._wrap(self._client.inbox(base_url, inbox_identifier))

    async def create_conversation(self, stream_id: StreamId, conversation: NewConversation) -> int:
        """See :meth:`Client.create_conversation`."""
        form = _conversation_form(conversation)
        try:
            return await self._native.create_conversation(stream_id, form)
        except UnicodeEncodeError as e:
            raise _not_utf8(e, stream_id=stream_id) from None

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
        return await self.create_conversation(
            stream_id,
            EmailConversation(
                identity, subject, message, to=to, cc=cc, bcc=bcc, attachment_urls=attachment_urls, **options
            ),
        )

    async def create_sms_conversation(
        self, stream_id: StreamId, identity: str, message: str, **options: Unpack[ConversationOptions]
    ) -> int:
        """See :meth:`Client.create_sms_conversation`."""
        return await self.create_conversation(stream_id, SmsConversation(identity, message, **options))

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
        return await self.create_conversation(
            stream_id,
            BulkSmsConversation(identity, message, recipients=recipients, send_to_client=send_to_client, **options),
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
        return await self.create_conversation(
            stream_id,
            WhatsAppTemplateConversation(
                identity, template, message, params=params, language=language, to=to, **options
            ),
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
        return await self.create_conversation(
            stream_id, ChatConversation(identity, message, create_child_object=create_child_object, **options)
        )

    async def create_conversation_json(self, stream_id: StreamId, obj: Mapping[str, Any]) -> int:
        """See :meth:`Client.create_conversation_json`."""
        try:
            return await self._native.create_conversation_json(stream_id, obj)
        except UnicodeEncodeError as e:
            raise _not_utf8(e, stream_id=stream_id) from None

    async def get_conversation(self, stream_id: StreamId, object_id: ObjectId) -> Conversation:
        """See :meth:`Client.get_conversation`."""
        try:
            return Conversation._from_native(await self._native.get_conversation(stream_id, object_id))
        except UnicodeEncodeError as e:
            raise _not_utf8(e, stream_id=stream_id, object_id=object_id) from None

    async def set_conversation_status(self, object_id: ObjectId, status: Union[ObjectStatusType, int, str]) -> None:
        """See :meth:`Client.set_conversation_status`."""
        try:
            await self._native.set_conversation_status(object_id, status)
        except UnicodeEncodeError as e:
            raise _not_utf8(e, object_id=object_id) from None

    async def create_message(self, stream_id: StreamId, object_id: ObjectId, message: NewMessage) -> int:
        """See :meth:`Client.create_message`."""
        form = _message_form(message)
        try:
            return await self._native.create_message(stream_id, object_id, form)
        except UnicodeEncodeError as e:
            raise _not_utf8(e, stream_id=stream_id, object_id=object_id) from None

    async def create_customer_message(
        self,
        stream_id: StreamId,
        object_id: ObjectId,
        identity: str,
        message: str = "",
        **options: Unpack[MessageOptions],
    ) -> int:
        """See :meth:`Client.create_customer_message`."""
        return await self.create_message(stream_id, object_id, NewMessage.from_customer(identity, message, **options))

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
        return await self.create_message(
            stream_id, object_id, NewMessage.from_agent(agent_id, identity, message, **options)
        )

    async def create_message_json(self, stream_id: StreamId, object_id: ObjectId, obj: Mapping[str, Any]) -> int:
        """See :meth:`Client.create_message_json`."""
        try:
            return await self._native.create_message_json(stream_id, object_id, obj)
        except UnicodeEncodeError as e:
            raise _not_utf8(e, stream_id=stream_id, object_id=object_id) from None

    async def managers(self) -> List[Manager]:
        """See :meth:`Client.managers`."""
        return [Manager._from_native(m) for m in await self._native.managers()]

    async def system_status(self) -> SystemStatus:
        """See :meth:`Client.system_status`."""
        return SystemStatus._from_native(await self._native.system_status())

    async def raw_request(self, method: str, path: str, body: Any = None) -> Envelope:
        """See :meth:`Client.raw_request`."""
        try:
            return Envelope._from_native(await self._native.raw_request(method, path, body))
        except UnicodeEncodeError as e:
            raise _not_utf8(e, method=method, path=path) from None


class AsyncInboxClient(_AsyncBase):
    """The :class:`InboxClient`'s methods as coroutines, for asyncio code (uvloop too).

    Like :class:`AsyncClient`: native async calls on the process's runtime thread, no
    thread per call, and cancelling a task stops its call. The other arguments are those
    of :class:`InboxClient` (``max_workers`` has no effect); :meth:`AsyncClient.inbox`
    makes one that shares a client's connection pool.

    >>> async with commbox.AsyncInboxClient("https://app.chatwoot.com", "tK9s3bVn") as inbox:  # doctest: +SKIP
    ...     contact = await inbox.create_contact(name="John Doe")
    ...     conversation = await inbox.create_conversation(contact)
    """

    _inbox: InboxClient
    _native: _commbox.NativeAsyncInboxClient

    def __init__(
        self,
        base_url: str,
        inbox_identifier: str,
        *,
        max_workers: int = DEFAULT_MAX_WORKERS,
        **settings: Unpack[ClientSettings],
    ) -> None:
        self._inbox = InboxClient(base_url, inbox_identifier, **settings)
        self._native = _commbox.NativeAsyncInboxClient(self._inbox._native)

    @classmethod
    def _wrap(cls, inbox: InboxClient) -> AsyncInboxClient:
        """An AsyncInboxClient around a synchronous one (from ``AsyncClient.inbox``)."""
        wrapped = cls.__new__(cls)
        wrapped._inbox = inbox
        wrapped._native = _commbox.NativeAsyncInboxClient(inbox._native)
        return wrapped

    def _close_sync(self) -> None:
        self._inbox.close()

    @property
    def sync_client(self) -> InboxClient:
        """The synchronous inbox client on the same connection pool and settings."""
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
        return Inbox._from_native(await self._native.inbox())

    async def create_contact(self, *, source_id: Optional[str] = None, **fields: Unpack[ContactFields]) -> Contact:
        """See :meth:`InboxClient.create_contact`."""
        return Contact._from_native(await self._native.create_contact(_contact_spec(fields, source_id=source_id)))

    async def get_contact(
        self,
        contact: ContactRef,
        *,
        identifier: Optional[str] = None,
        identifier_hash: Optional[str] = None,
        hmac_token: Optional[str] = None,
    ) -> Contact:
        """See :meth:`InboxClient.get_contact`."""
        found = await self._native.get_contact(_source_id(contact), identifier, identifier_hash, hmac_token)
        return Contact._from_native(found)

    async def update_contact(self, contact: ContactRef, **fields: Unpack[ContactFields]) -> Contact:
        """See :meth:`InboxClient.update_contact`."""
        return Contact._from_native(await self._native.update_contact(_source_id(contact), _contact_spec(fields)))

    async def create_conversation(
        self, contact: ContactRef, custom_attributes: Optional[Mapping[str, Any]] = None
    ) -> ChatwootConversation:
        """See :meth:`InboxClient.create_conversation`."""
        return ChatwootConversation._from_native(
            await self._native.create_conversation(_source_id(contact), custom_attributes)
        )

    async def list_conversations(self, contact: ContactRef) -> List[ChatwootConversation]:
        """See :meth:`InboxClient.list_conversations`."""
        found = await self._native.list_conversations(_source_id(contact))
        return [ChatwootConversation._from_native(c) for c in found]

    async def get_conversation(self, contact: ContactRef, conversation_id: int) -> ChatwootConversation:
        """See :meth:`InboxClient.get_conversation`."""
        return ChatwootConversation._from_native(
            await self._native.get_conversation(_source_id(contact), conversation_id)
        )

    async def resolve_conversation(self, contact: ContactRef, conversation_id: int) -> ChatwootConversation:
        """See :meth:`InboxClient.resolve_conversation`."""
        return ChatwootConversation._from_native(
            await self._native.resolve_conversation(_source_id(contact), conversation_id)
        )

    async def set_typing(self, contact: ContactRef, conversation_id: int, typing: bool) -> None:
        """See :meth:`InboxClient.set_typing`."""
        await self._native.set_typing(_source_id(contact), conversation_id, bool(typing))

    async def update_last_seen(self, contact: ContactRef, conversation_id: int) -> None:
        """See :meth:`InboxClient.update_last_seen`."""
        await self._native.update_last_seen(_source_id(contact), conversation_id)

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
        spec = _message_spec(content, echo_id, attachments)
        found = await self._native.create_message(_source_id(contact), conversation_id, spec)
        return ChatwootMessage._from_native(found)

    async def list_messages(
        self, contact: ContactRef, conversation_id: int, before: Optional[int] = None
    ) -> List[ChatwootMessage]:
        """See :meth:`InboxClient.list_messages`."""
        found = await self._native.list_messages(_source_id(contact), conversation_id, before)
        return [ChatwootMessage._from_native(m) for m in found]

    def iter_messages(self, contact: ContactRef, conversation_id: int) -> AsyncIterator[ChatwootMessage]:
        """:meth:`InboxClient.iter_messages` as an async iterator: ``async for message in
        inbox.iter_messages(contact, conversation_id)``, each page awaited natively when
        needed."""
        return _messages(self._native.iter_messages(_source_id(contact), conversation_id))

    def live(self, pubsub_token: Union[str, Contact], **options: Unpack[LiveOptions]) -> AsyncLiveReplies:
        """:meth:`InboxClient.live` for asyncio: ``async for event in inbox.live(contact)``
        (see :class:`AsyncLiveReplies`). Not a coroutine: nothing is sent before it returns,
        the connection runs in the background on the module's runtime."""
        return AsyncLiveReplies(self._inbox._native.live(_pubsub_token(pubsub_token), dict(options)))

    async def update_message(
        self, contact: ContactRef, conversation_id: int, message_id: int, submitted_values: SubmittedValues
    ) -> ChatwootMessage:
        """See :meth:`InboxClient.update_message`."""
        updated = await self._native.update_message(_source_id(contact), conversation_id, message_id, submitted_values)
        return ChatwootMessage._from_native(updated)


async def _messages(pages: _commbox.NativeAsyncMessages) -> AsyncIterator[ChatwootMessage]:
    """The records of a native async message walk."""
    while True:
        found = await pages.next()
        if found is None:
            return
        yield ChatwootMessage._from_native(found)
