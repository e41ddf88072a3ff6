"""The synchronous client."""

from __future__ import annotations

import logging
import os
import platform
from types import TracebackType
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    List,
    Mapping,
    NoReturn,
    Optional,
    Sequence,
    Tuple,
    Type,
    TypedDict,
    Union,
)

from . import _commbox
from ._enums import ObjectStatusType
from ._errors import _not_utf8
from ._models import Conversation, Envelope, Manager, SystemStatus, UploadProgress
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
    # Only for type checkers (typeshed ships it): no runtime dependency.
    from typing_extensions import Self, Unpack

    from ._chatwoot import InboxClient

__all__ = ["Client", "ClientSettings", "StreamId", "ObjectId"]

StreamId = Union[str, int]
"""A stream (channel) id, as the CommBox console shows it (``"hNyRN_fLUy7rrOrN9jLpipA=="``);
encoded (``%3d%3d``) or not, it is percent-encoded exactly once."""

ObjectId = Union[int, str]
"""A conversation id, as returned by ``create_conversation``."""

_CONVERSATION_TYPES: Tuple[type, ...] = (
    EmailConversation,
    SmsConversation,
    BulkSmsConversation,
    WhatsAppTemplateConversation,
    ChatConversation,
)


class ClientSettings(TypedDict, total=False):
    """The settings every client takes as keyword arguments besides its address: the
    core's client options (``ClientOptions``, docs/schemas/ClientOptions.json). None (or not
    given) leaves a setting to its ``COMMBOX_*`` variable, then to the default; every check
    is the core's.

    - ``timeout``: seconds allowed for each attempt (``COMMBOX_TIMEOUT``, 60); positive.
    - ``connect_timeout``: seconds allowed to connect (``COMMBOX_CONNECT_TIMEOUT``, 10).
    - ``max_retries``: retries after a failed attempt (``COMMBOX_MAX_RETRIES``, 2).
    - ``ca_file``: extra CA certificates to trust, PEM (``COMMBOX_CA_FILE``).
    - ``proxy``: a proxy URL for every request (``COMMBOX_PROXY``; else ``HTTPS_PROXY`` and
      ``NO_PROXY`` apply).
    - ``allow_insecure_http``: ``http://`` to a non-loopback host (``COMMBOX_ALLOW_INSECURE_HTTP``;
      off).
    - ``user_agent``: appended to the User-Agent, to identify your application.
    - ``on_upload_progress``: called with an :class:`UploadProgress` as each chunk (64 KiB) of
      each attachment is handed to the connection, for a progress bar. It runs on the thread
      doing the upload (a sync call's own thread; the async clients' runtime thread), holding
      the GIL only while it runs: keep it short. An exception it raises is logged to the
      ``commbox`` logger (ERROR, with its traceback) and the upload goes on; it is not called
      again during that call. Not read from the environment.
    """

    timeout: Optional[float]
    connect_timeout: Optional[float]
    max_retries: Optional[int]
    ca_file: Optional[Union[str, "os.PathLike[str]"]]
    proxy: Optional[str]
    allow_insecure_http: Optional[bool]
    user_agent: Optional[str]
    on_upload_progress: Optional[Callable[[UploadProgress], object]]


_SETTINGS = frozenset(ClientSettings.__annotations__)

_log = logging.getLogger("commbox")


def _progress_hook(callback: Callable[[UploadProgress], object]) -> Callable[..., None]:
    """What the native client calls with an ``UploadProgress``'s fields: builds the record and
    calls ``callback`` with it. What ``callback`` raises (an ``Exception``) is logged, and it is
    not called again for the rest of that call (its request id); the upload goes on."""
    if not callable(callback):
        raise TypeError(f"on_upload_progress must be callable, not {type(callback).__name__}")
    failed: List[str] = []  # the request id whose call it failed in, at most one

    def hook(*fields: Any) -> None:
        progress = UploadProgress(*fields)
        if failed and failed[0] == progress.request_id:
            return
        try:
            callback(progress)
        except Exception:
            failed[:] = [progress.request_id]
            _log.exception(
                "on_upload_progress raised during request %s; the upload goes on without it", progress.request_id
            )

    return hook


def _options(api_key: Optional[str], base_url: Optional[str], settings: Mapping[str, Any]) -> Dict[str, Any]:
    """The core's client options (as the native clients take them) from a client's
    arguments. The User-Agent suffix is the Python version, then the caller's
    ``user_agent``."""
    unknown = sorted(set(settings) - _SETTINGS)
    if unknown:
        raise TypeError(f"unexpected keyword argument(s) {', '.join(unknown)}: expected {', '.join(sorted(_SETTINGS))}")
    options: Dict[str, Any] = {k: v for k, v in settings.items() if k not in ("ca_file", "user_agent")}
    on_upload_progress = settings.get("on_upload_progress")
    if on_upload_progress is not None:
        options["on_upload_progress"] = _progress_hook(on_upload_progress)
    ca_file = settings.get("ca_file")
    user_agent = settings.get("user_agent")
    suffix = f"python/{platform.python_version()}"
    options.update(
        api_key=api_key,
        base_url=base_url,
        ca_file=None if ca_file is None else os.fspath(ca_file),
        user_agent_suffix=f"{suffix} {user_agent}" if user_agent else suffix,
    )
    return options


def _conversation_form(conversation: NewConversation) -> Dict[str, Any]:
    """The core's JSON form of a conversation request (``create_conversation`` of the sync
    and async clients)."""
    if not isinstance(conversation, _CONVERSATION_TYPES):
        raise TypeError(
            "conversation must be EmailConversation, SmsConversation, BulkSmsConversation, "
            f"WhatsAppTemplateConversation or ChatConversation, not {type(conversation).__name__}"
        )
    return conversation._form()


def _message_form(message: NewMessage) -> Dict[str, Any]:
    """The core's JSON form of a message request (``create_message`` of both clients)."""
    if not isinstance(message, NewMessage):
        raise TypeError(f"message must be a commbox.NewMessage, not {type(message).__name__}")
    return message._form()


class Client:
    """A CommBox API client.

    Settings left as None come from the ``COMMBOX_*`` environment variables, then from the
    defaults: ``api_key`` (``COMMBOX_API_KEY``, required), ``base_url``
    (``COMMBOX_BASE_URL``, ``https://api.commbox.io``) and those of :class:`ClientSettings`
    (``timeout``, ``connect_timeout``, ``max_retries``, ``ca_file``, ``proxy``,
    ``allow_insecure_http``, ``user_agent``).

    One client is safe to share between threads: calls release the GIL and run in parallel
    on one connection pool. A client inherited by a forked child (gunicorn, Celery) builds a
    new transport on first use there. Use it as a context manager, or call :meth:`close`.

    Every call validates the request before any I/O (a bad field raises
    :class:`ValidationError` and nothing is sent) and retries only what is safe to retry: a
    create is sent again only when the server said it did not process it (429, 503).

    >>> with commbox.Client(api_key="...") as client:               # doctest: +SKIP
    ...     id = client.create_sms_conversation("STREAM", "+972544444444", "Hello")
    """

    def __init__(
        self, api_key: Optional[str] = None, *, base_url: Optional[str] = None, **settings: Unpack[ClientSettings]
    ) -> None:
        try:
            self._native = _commbox.NativeClient(_options(api_key, base_url, settings))
        except UnicodeEncodeError as e:
            raise _not_utf8(e, api_key=api_key, base_url=base_url, **settings) from None

    @property
    def base_url(self) -> str:
        """The base URL requests go to."""
        return self._native.base_url

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._native.closed

    def __repr__(self) -> str:
        state = ", closed" if self.closed else ""
        return f"commbox.Client(base_url={self.base_url!r}{state})"

    # -- lifecycle -------------------------------------------------------------------------

    def close(self) -> None:
        """Releases the connection pool. Later calls raise :class:`CommboxError`; calls
        already running finish first. Closing twice does nothing."""
        self._native.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()

    def __reduce__(self) -> NoReturn:
        raise TypeError(
            "a commbox.Client cannot be pickled: it holds a connection pool and the API key. "
            "Create a client in each process from your settings."
        )

    def __copy__(self) -> Client:
        # Immutable and shareable between threads: a copy would be an identical client.
        return self

    def __deepcopy__(self, memo: Any) -> Client:
        return self

    # -- conversations ---------------------------------------------------------------------

    def create_conversation(self, stream_id: StreamId, conversation: NewConversation) -> int:
        """Opens a conversation in stream ``stream_id`` and returns its id.

        ``conversation`` is an :class:`EmailConversation`, :class:`SmsConversation`,
        :class:`BulkSmsConversation`, :class:`WhatsAppTemplateConversation` or
        :class:`ChatConversation`. Sent as JSON, or as multipart with the attachments
        streamed from disk.
        """
        form = _conversation_form(conversation)
        try:
            return self._native.create_conversation(stream_id, form)
        except UnicodeEncodeError as e:
            raise _not_utf8(e, stream_id=stream_id) from None

    def create_email_conversation(
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
        """Opens an e-mail conversation; the arguments are those of :class:`EmailConversation`."""
        return self.create_conversation(
            stream_id,
            EmailConversation(
                identity, subject, message, to=to, cc=cc, bcc=bcc, attachment_urls=attachment_urls, **options
            ),
        )

    def create_sms_conversation(
        self, stream_id: StreamId, identity: str, message: str, **options: Unpack[ConversationOptions]
    ) -> int:
        """Opens an SMS conversation; the arguments are those of :class:`SmsConversation`."""
        return self.create_conversation(stream_id, SmsConversation(identity, message, **options))

    def create_bulk_sms_conversation(
        self,
        stream_id: StreamId,
        identity: str,
        message: str,
        recipients: Sequence[str],
        *,
        send_to_client: Optional[bool] = None,
        **options: Unpack[ConversationOptions],
    ) -> int:
        """Sends one SMS to several recipients; the arguments are those of
        :class:`BulkSmsConversation`."""
        return self.create_conversation(
            stream_id,
            BulkSmsConversation(identity, message, recipients=recipients, send_to_client=send_to_client, **options),
        )

    def create_whatsapp_template_conversation(
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
        """Opens a conversation with a WhatsApp template message; the arguments are those of
        :class:`WhatsAppTemplateConversation`."""
        return self.create_conversation(
            stream_id,
            WhatsAppTemplateConversation(
                identity, template, message, params=params, language=language, to=to, **options
            ),
        )

    def create_chat_conversation(
        self,
        stream_id: StreamId,
        identity: str,
        message: str,
        *,
        create_child_object: Optional[bool] = None,
        **options: Unpack[ConversationOptions],
    ) -> int:
        """Opens a chat conversation; the arguments are those of :class:`ChatConversation`."""
        return self.create_conversation(
            stream_id, ChatConversation(identity, message, create_child_object=create_child_object, **options)
        )

    def create_conversation_json(self, stream_id: StreamId, obj: Mapping[str, Any]) -> int:
        """Opens a conversation from JSON you already hold: the object (``{"Type": 5, ...}``)
        or the documented wrapper (``{"data": {...}}``). Only its shape and ``Message`` are
        checked. Returns the conversation's id."""
        try:
            return self._native.create_conversation_json(stream_id, obj)
        except UnicodeEncodeError as e:
            raise _not_utf8(e, stream_id=stream_id) from None

    def get_conversation(self, stream_id: StreamId, object_id: ObjectId) -> Conversation:
        """Fetches a conversation with all its messages."""
        try:
            return Conversation._from_native(self._native.get_conversation(stream_id, object_id))
        except UnicodeEncodeError as e:
            raise _not_utf8(e, stream_id=stream_id, object_id=object_id) from None

    def set_conversation_status(self, object_id: ObjectId, status: Union[ObjectStatusType, int, str]) -> None:
        """Changes a conversation's status: an :class:`ObjectStatusType`, its number, or its
        documented name (``"resolved"``, ``"In Process"``). Safe to retry."""
        try:
            self._native.set_conversation_status(object_id, status)
        except UnicodeEncodeError as e:
            raise _not_utf8(e, object_id=object_id) from None

    # -- messages --------------------------------------------------------------------------

    def create_message(self, stream_id: StreamId, object_id: ObjectId, message: NewMessage) -> int:
        """Adds ``message`` (a :class:`NewMessage`) to conversation ``object_id`` and returns
        the message's id."""
        form = _message_form(message)
        try:
            return self._native.create_message(stream_id, object_id, form)
        except UnicodeEncodeError as e:
            raise _not_utf8(e, stream_id=stream_id, object_id=object_id) from None

    def create_customer_message(
        self,
        stream_id: StreamId,
        object_id: ObjectId,
        identity: str,
        message: str = "",
        **options: Unpack[MessageOptions],
    ) -> int:
        """Adds a message written by the customer ``identity`` (see :meth:`NewMessage.from_customer`)."""
        return self.create_message(stream_id, object_id, NewMessage.from_customer(identity, message, **options))

    def create_agent_message(
        self,
        stream_id: StreamId,
        object_id: ObjectId,
        agent_id: int,
        identity: str,
        message: str = "",
        **options: Unpack[MessageOptions],
    ) -> int:
        """Adds a message from agent ``agent_id`` (see :meth:`NewMessage.from_agent`)."""
        return self.create_message(
            stream_id, object_id, NewMessage.from_agent(agent_id, identity, message, **options)
        )

    def create_message_json(self, stream_id: StreamId, object_id: ObjectId, obj: Mapping[str, Any]) -> int:
        """Adds a message from JSON you already hold (the child or ``{"data": {...}}``) and
        returns its id."""
        try:
            return self._native.create_message_json(stream_id, object_id, obj)
        except UnicodeEncodeError as e:
            raise _not_utf8(e, stream_id=stream_id, object_id=object_id) from None

    # -- around them -----------------------------------------------------------------------

    def inbox(self, base_url: str, inbox_identifier: str) -> InboxClient:
        """A client of the Chatwoot (or Omnivibe) inbox ``inbox_identifier`` at ``base_url``
        that shares this client's connection pool and settings (timeouts, retries, TLS,
        proxy, logging). The API key is never sent to it. Nothing is sent now; the URL and
        the identifier are checked.

        It lives as long as this client: closing the client closes it too.
        """
        from ._chatwoot import InboxClient  # here: _chatwoot imports this module

        try:
            return InboxClient._wrap(self._native.inbox(base_url, inbox_identifier))
        except UnicodeEncodeError as e:
            raise _not_utf8(e, base_url=base_url, inbox_identifier=inbox_identifier) from None

    def managers(self) -> List[Manager]:
        """Lists the brand's agents and admins; an agent's ``id`` is the ``agent_id`` of
        agent messages."""
        return [Manager._from_native(m) for m in self._native.managers()]

    def system_status(self) -> SystemStatus:
        """Checks that CommBox is up and the key is accepted."""
        return SystemStatus._from_native(self._native.system_status())

    def raw_request(self, method: str, path: str, body: Any = None) -> Envelope:
        """Sends any request, for endpoints the typed methods do not cover yet.

        ``path`` is below the base URL, already encoded, and may carry a query
        (``/users/123``); ``body`` is sent as JSON when given. GET, PUT and DELETE are
        retried like reads, POST and PATCH like creates. An error status raises like any
        other call.
        """
        try:
            return Envelope._from_native(self._native.raw_request(method, path, body))
        except UnicodeEncodeError as e:
            raise _not_utf8(e, method=method, path=path) from None
