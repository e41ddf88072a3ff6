"""What the APIs return, as typed read-only records.

Each record is the core's JSON form of it (docs/schemas/), the document the C library
returns and ``commbox`` prints for the same call: same field names, same values, with the
enums as :class:`ObjectType` & co. (which equal their integers) and nested records as
dataclasses, so ``dataclasses.asdict(record)`` is that document. Every record keeps what the
server sent in ``raw``, so fields this version does not model are still reachable. The core
decodes leniently (ids as strings or numbers, ``id`` or ``Id``); these classes are declared
once each, here, and built from the document by their field types alone.

CommBox: :class:`Conversation`, :class:`ConversationMessage`, :class:`Manager`,
:class:`SystemStatus`, :class:`Envelope`. Chatwoot (``InboxClient``): :class:`Inbox`,
:class:`Contact`, :class:`ChatwootConversation`, :class:`ChatwootMessage`,
:class:`MessageAttachment`, and what a contact's live subscription yields,
:class:`LiveEvent`.
"""

from __future__ import annotations

import dataclasses
import enum
import typing
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar, Dict, List, Mapping, Optional, Tuple, Type, TypeVar

from ._enums import MessageType, ObjectStatusType, ObjectType, StreamProviderType

__all__ = [
    "Conversation",
    "ConversationMessage",
    "Manager",
    "SystemStatus",
    "Envelope",
    "Inbox",
    "Contact",
    "ChatwootConversation",
    "ChatwootMessage",
    "MessageAttachment",
    "LiveEvent",
    "UploadProgress",
]

_R = TypeVar("_R", bound="_Record")


class _Record:
    """A record built from its JSON form: each dataclass field from the key of its name,
    converted by the field's type alone (an enum from its integer, a record from its object,
    a list of records from its array; None stays None)."""

    _CONVERTERS: ClassVar[Optional[Tuple[Tuple[str, Callable[[Any], Any]], ...]]] = None

    @classmethod
    def _from_native(cls: Type[_R], document: Mapping[str, Any]) -> _R:
        converters = cls.__dict__.get("_CONVERTERS") or cls._converters()
        return cls(**{name: convert(document[name]) for name, convert in converters})

    @classmethod
    def _converters(cls) -> Tuple[Tuple[str, Callable[[Any], Any]], ...]:
        hints = typing.get_type_hints(cls)
        converters = tuple(
            (f.name, _converter(hints[f.name])) for f in dataclasses.fields(cls)  # type: ignore[arg-type]
        )
        cls._CONVERTERS = converters
        return converters


def _converter(hint: Any) -> Callable[[Any], Any]:
    """How a JSON value becomes a field of type ``hint``."""
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if typing.get_origin(hint) is typing.Union and len(args) == 1:
        inner = _converter(args[0])
        return lambda v: None if v is None else inner(v)
    if typing.get_origin(hint) is list and args:
        item = _converter(args[0])
        return lambda v: [item(i) for i in v]
    if isinstance(hint, type) and issubclass(hint, (_Record, enum.Enum)):
        return hint._from_native if issubclass(hint, _Record) else hint
    return lambda v: v


@dataclass(frozen=True)
class ConversationMessage(_Record):
    """A message (CommBox child) in a conversation."""

    id: int
    """The message's id."""
    object_id: Optional[int] = None
    """The conversation it belongs to (``objectId``)."""
    object_type: Optional[ObjectType] = None
    """Its ``type``."""
    message: Optional[str] = None
    """Its text."""
    content: Optional[str] = None
    """``content``: a JSON string in CommBox's data model."""
    created_time: Optional[str] = None
    """``createdTime`` as sent (UTC)."""
    is_manager: Optional[bool] = None
    """True when an agent wrote it."""
    stream_provider_type: Optional[StreamProviderType] = None
    """The provider it came through."""
    raw: Dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    """Everything the server sent for this message."""


@dataclass(frozen=True)
class Conversation(_Record):
    """A conversation (CommBox object) with its messages, oldest first."""

    id: int
    """The conversation's id (``objectId``): pass it to ``create_message``."""
    stream_id: Optional[str] = None
    """The stream (channel) it is in."""
    sub_stream_id: Optional[int] = None
    """``subStreamId``."""
    status: Optional[ObjectStatusType] = None
    """Its state (``statusId``)."""
    object_type: Optional[ObjectType] = None
    """Its ``type``."""
    message: Optional[str] = None
    """The first (or last) message text."""
    created_time: Optional[str] = None
    """``createdTime`` as sent (UTC)."""
    is_manager: Optional[bool] = None
    """``isManager``."""
    messages: List[ConversationMessage] = field(default_factory=list)
    """Its messages (``childs``), oldest first."""
    raw: Dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    """Everything the server sent for this conversation."""


@dataclass(frozen=True)
class Manager(_Record):
    """An agent or admin of the brand (``GET /managers``)."""

    id: int
    """Use it as ``agent_id`` for agent messages (CommBox ``UserIdentity``)."""
    identity_id: Optional[int] = None
    """``identityId``."""
    first_name: Optional[str] = None
    """``firstName``."""
    last_name: Optional[str] = None
    """``lastName``."""
    email: Optional[str] = None
    """``email``."""
    user_name: Optional[str] = None
    """``userName``."""
    permission_id: Optional[int] = None
    """``permissionId`` (3 = admin)."""
    team_name: Optional[str] = None
    """``teamName``."""
    raw: Dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    """Everything the server sent for this manager."""


@dataclass(frozen=True)
class SystemStatus(_Record):
    """The answer of ``GET /core/systemstatus``: the API is up and the key is accepted."""

    http_status: int
    """200 when the system and the key are fine."""
    description: str
    """For example ``"System is operational"``."""
    response_time: Optional[str] = None
    """The envelope's ``response_time``."""
    raw: Any = field(default=None, repr=False, compare=False)
    """The whole answer as the server sent it."""


@dataclass(frozen=True)
class Envelope(_Record):
    """A decoded CommBox answer ``{status, description, response_time, data}``, from
    ``raw_request``. The HTTP status line is the truth: see ``http_status``."""

    http_status: int
    """The HTTP status of the answer."""
    status: Optional[int] = None
    """The envelope's own ``status``, if readable."""
    description: Optional[str] = None
    """The envelope's ``description``."""
    response_time: Optional[str] = None
    """The envelope's ``response_time``."""
    data: Any = None
    """The envelope's ``data`` as plain Python values (None when absent)."""
    request_id: str = ""
    """The ``X-Request-Id`` this client sent."""
    raw: Any = field(default=None, repr=False, compare=False)
    """The whole answer as the server sent it (the envelope with its ``data``)."""


# -- Chatwoot ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Inbox(_Record):
    """A Chatwoot API-channel inbox's settings (``InboxClient.inbox()``)."""

    identifier: Optional[str] = None
    """``identifier``: the inbox identifier of the paths."""
    name: Optional[str] = None
    """``name``."""
    identity_validation_enabled: bool = False
    """``identity_validation_enabled``: contacts need a valid ``identifier_hash`` (pass
    ``hmac_token=`` or ``identifier_hash=`` to ``create_contact``)."""
    timezone: Optional[str] = None
    """``timezone``."""
    working_hours_enabled: Optional[bool] = None
    """``working_hours_enabled``."""
    csat_survey_enabled: Optional[bool] = None
    """``csat_survey_enabled``."""
    greeting_enabled: Optional[bool] = None
    """``greeting_enabled``."""
    raw: Dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    """Everything the server sent for this inbox."""


@dataclass(frozen=True)
class Contact(_Record):
    """A Chatwoot contact.

    ``create_contact`` and ``get_contact`` return ``source_id`` and ``pubsub_token``;
    ``update_contact`` returns the full contact model, which has neither (and may be another
    contact: Chatwoot merges contacts that share an e-mail address or phone number).
    """

    id: int
    """The contact's id in the account."""
    source_id: Optional[str] = None
    """The contact's identifier in this inbox: keep it, every later call takes it."""
    pubsub_token: Optional[str] = field(default=None, repr=False)
    """Authenticates the contact's websocket (ActionCable ``RoomChannel``); not in ``repr``."""
    name: Optional[str] = None
    """``name``."""
    email: Optional[str] = None
    """``email``."""
    phone_number: Optional[str] = None
    """``phone_number``."""
    identifier: Optional[str] = None
    """``identifier`` (in the full model of ``update_contact`` only)."""
    raw: Dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    """Everything the server sent for this contact."""


@dataclass(frozen=True)
class MessageAttachment(_Record):
    """A file on a Chatwoot message."""

    id: Optional[int] = None
    """``id``."""
    file_type: Optional[str] = None
    """``image``, ``video``, ``audio`` or ``file`` (from the upload's content type)."""
    extension: Optional[str] = None
    """``extension``."""
    data_url: Optional[str] = None
    """Where to download it."""
    thumb_url: Optional[str] = None
    """``thumb_url``."""
    file_size: Optional[int] = None
    """Size in bytes."""
    raw: Dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    """Everything the server sent for this file."""


@dataclass(frozen=True)
class ChatwootMessage(_Record):
    """A message of a Chatwoot conversation."""

    id: int
    """The message's id (``before=`` of ``list_messages``, ``message_id`` of
    ``update_message``)."""
    content: Optional[str] = None
    """Its text (None for a message with files only)."""
    message_type: Optional[MessageType] = None
    """``INCOMING`` from the contact, ``OUTGOING`` from an agent or bot."""
    content_type: Optional[str] = None
    """``text``, ``input_select``, ``cards``, ``input_csat``, …"""
    content_attributes: Dict[str, Any] = field(default_factory=dict)
    """``content_attributes`` (``{}`` when empty), e.g. ``submitted_values``."""
    created_at: Optional[int] = None
    """Unix seconds."""
    conversation_id: Optional[int] = None
    """The conversation's display id."""
    attachments: List[MessageAttachment] = field(default_factory=list)
    """Its files."""
    sender: Optional[Dict[str, Any]] = None
    """The contact's (or agent's) public data, as sent."""
    raw: Dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    """Everything the server sent for this message."""


@dataclass(frozen=True)
class ChatwootConversation(_Record):
    """A Chatwoot conversation with every public message, oldest first."""

    id: int
    """The display id: pass it to ``create_message`` and the other conversation calls."""
    uuid: Optional[str] = None
    """``uuid``."""
    inbox_id: Optional[int] = None
    """``inbox_id``."""
    status: Optional[str] = None
    """``open``, ``resolved``, ``pending`` or ``snoozed``."""
    contact_last_seen_at: Optional[int] = None
    """Unix seconds (0 when never)."""
    agent_last_seen_at: Optional[int] = None
    """Unix seconds."""
    messages: List[ChatwootMessage] = field(default_factory=list)
    """Every public, non-activity message, oldest first."""
    contact: Optional[Dict[str, Any]] = field(default=None, repr=False)
    """The full contact record, as sent (not in ``repr``)."""
    raw: Dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    """Everything the server sent for this conversation."""


@dataclass(frozen=True)
class LiveEvent(_Record):
    """One event of a contact's live subscription (:meth:`InboxClient.live`): the core's
    ``ChatwootLiveEvent`` (docs/schemas/), the document ``commbox_live_next`` returns in C.

    >>> for event in inbox.live(contact):                       # doctest: +SKIP
    ...     if event.is_agent_reply():
    ...         print("agent:", event.message.content)
    """

    kind: str
    """What happened: ``message_created``, ``message_updated``,
    ``conversation_status_changed``, ``typing_on``, ``typing_off``, ``presence_update``,
    ``reconnected`` (the socket was lost and is back: what was sent meanwhile was missed,
    :meth:`InboxClient.iter_messages` catches up) or ``other``."""
    event: Optional[str] = None
    """The broadcast's name as sent (``message.created``); None for ``reconnected``."""
    message: Optional[ChatwootMessage] = None
    """The message, for ``message_created`` and ``message_updated``."""
    echo_id: Optional[str] = None
    """The ``echo_id`` the message was sent with (``create_message(echo_id=...)``)."""
    conversation_id: Optional[int] = None
    """The conversation (display id) the event is about, when it says."""
    raw: Any = field(default=None, repr=False, compare=False)
    """The broadcast's ``message`` as sent (``{"event": ..., "data": ...}``), or None."""

    # The core's answer to is_agent_reply(), set when the event is built (not a field: the
    # document is the core's JSON form, which has no such key).
    _agent_reply: ClassVar[bool] = False

    def is_agent_reply(self) -> bool:
        """Whether this is an agent's reply: a created message that is outgoing and not
        from the contact (the core's ``LiveEvent::is_agent_reply``)."""
        return self._agent_reply

    @classmethod
    def _from_pair(cls, pair: Tuple[Mapping[str, Any], bool]) -> LiveEvent:
        """An event from the native ``(document, is_agent_reply)``."""
        document, agent_reply = pair
        event = cls._from_native(document)
        object.__setattr__(event, "_agent_reply", agent_reply)
        return event


@dataclass(frozen=True)
class UploadProgress:
    """How far the upload of one attachment has gone: what an ``on_upload_progress=``
    callback receives as each chunk (64 KiB) of each attachment is handed to the connection.

    For each attachment and attempt, ``bytes_sent`` is 0 first, then grows after each chunk,
    and lastly equals ``total_bytes`` (every byte left the file; the call's result says
    whether the server stored it). A retried attempt sends the files again: ``bytes_sent``
    starts again at 0 and ``attempt`` is one higher.

    >>> def show(p: commbox.UploadProgress) -> None:            # doctest: +SKIP
    ...     print(f"{p.attachment}: {p.bytes_sent * 100 // max(p.total_bytes, 1)}%")
    >>> client = commbox.Client(on_upload_progress=show)         # doctest: +SKIP
    """

    request_id: str
    """The call's ``X-Request-Id`` (the same in every attempt, and in its error)."""
    attempt: int
    """Which attempt of the call: 1, then 2 for the first retry, and so on."""
    index: int
    """The attachment's position among the request's attachments, from 0."""
    count: int
    """How many attachments the request carries."""
    attachment: str
    """The attachment's file name, as sent."""
    bytes_sent: int
    """Bytes of the file handed to the connection so far in this attempt."""
    total_bytes: int
    """The file's size."""
