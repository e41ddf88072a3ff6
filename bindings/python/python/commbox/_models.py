"""What the APIs return, as typed read-only records.

Every record keeps what the server sent in ``raw``, so fields this version does not model
are still reachable. The core decodes leniently (ids as strings or numbers, ``id`` or ``Id``):
these classes only give the result attribute access and enum types.

CommBox: :class:`Conversation`, :class:`ConversationMessage`, :class:`Manager`,
:class:`SystemStatus`, :class:`Envelope`. Chatwoot (``InboxClient``): :class:`Inbox`,
:class:`Contact`, :class:`ChatwootConversation`, :class:`ChatwootMessage`,
:class:`MessageAttachment`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, TypeVar

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
]

_E = TypeVar("_E", ObjectType, ObjectStatusType, StreamProviderType, MessageType)


def _enum(cls: type[_E], value: Optional[int]) -> Optional[_E]:
    return None if value is None else cls(value)


@dataclass(frozen=True)
class ConversationMessage:
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

    @classmethod
    def _from_native(cls, d: Mapping[str, Any]) -> ConversationMessage:
        return cls(
            id=d["id"],
            object_id=d["object_id"],
            object_type=_enum(ObjectType, d["object_type"]),
            message=d["message"],
            content=d["content"],
            created_time=d["created_time"],
            is_manager=d["is_manager"],
            stream_provider_type=_enum(StreamProviderType, d["stream_provider_type"]),
            raw=d["raw"],
        )


@dataclass(frozen=True)
class Conversation:
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

    @classmethod
    def _from_native(cls, d: Mapping[str, Any]) -> Conversation:
        return cls(
            id=d["id"],
            stream_id=d["stream_id"],
            sub_stream_id=d["sub_stream_id"],
            status=_enum(ObjectStatusType, d["status"]),
            object_type=_enum(ObjectType, d["object_type"]),
            message=d["message"],
            created_time=d["created_time"],
            is_manager=d["is_manager"],
            messages=[ConversationMessage._from_native(m) for m in d["messages"]],
            raw=d["raw"],
        )


@dataclass(frozen=True)
class Manager:
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

    @classmethod
    def _from_native(cls, d: Mapping[str, Any]) -> Manager:
        return cls(**{k: d[k] for k in _MANAGER_FIELDS})


_MANAGER_FIELDS = (
    "id",
    "identity_id",
    "first_name",
    "last_name",
    "email",
    "user_name",
    "permission_id",
    "team_name",
    "raw",
)


@dataclass(frozen=True)
class SystemStatus:
    """The answer of ``GET /core/systemstatus``: the API is up and the key is accepted."""

    http_status: int
    """200 when the system and the key are fine."""
    description: str
    """For example ``"System is operational"``."""
    response_time: Optional[str] = None
    """The envelope's ``response_time``."""

    @classmethod
    def _from_native(cls, d: Mapping[str, Any]) -> SystemStatus:
        return cls(
            http_status=d["http_status"],
            description=d["description"],
            response_time=d["response_time"],
        )


@dataclass(frozen=True)
class Envelope:
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

    @classmethod
    def _from_native(cls, d: Mapping[str, Any]) -> Envelope:
        return cls(
            http_status=d["http_status"],
            status=d["status"],
            description=d["description"],
            response_time=d["response_time"],
            data=d["data"],
            request_id=d["request_id"],
        )


# -- Chatwoot ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Inbox:
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

    @classmethod
    def _from_native(cls, d: Mapping[str, Any]) -> Inbox:
        return cls(**{k: d[k] for k in _INBOX_FIELDS})


_INBOX_FIELDS = (
    "identifier",
    "name",
    "identity_validation_enabled",
    "timezone",
    "working_hours_enabled",
    "csat_survey_enabled",
    "greeting_enabled",
    "raw",
)


@dataclass(frozen=True)
class Contact:
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

    @classmethod
    def _from_native(cls, d: Mapping[str, Any]) -> Contact:
        return cls(**{k: d[k] for k in _CONTACT_FIELDS})


_CONTACT_FIELDS = ("id", "source_id", "pubsub_token", "name", "email", "phone_number", "identifier", "raw")


@dataclass(frozen=True)
class MessageAttachment:
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

    @classmethod
    def _from_native(cls, d: Mapping[str, Any]) -> MessageAttachment:
        return cls(**{k: d[k] for k in _ATTACHMENT_FIELDS})


_ATTACHMENT_FIELDS = ("id", "file_type", "extension", "data_url", "thumb_url", "file_size", "raw")


@dataclass(frozen=True)
class ChatwootMessage:
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

    @classmethod
    def _from_native(cls, d: Mapping[str, Any]) -> ChatwootMessage:
        return cls(
            id=d["id"],
            content=d["content"],
            message_type=_enum(MessageType, d["message_type"]),
            content_type=d["content_type"],
            content_attributes=d["content_attributes"],
            created_at=d["created_at"],
            conversation_id=d["conversation_id"],
            attachments=[MessageAttachment._from_native(a) for a in d["attachments"]],
            sender=d["sender"],
            raw=d["raw"],
        )


@dataclass(frozen=True)
class ChatwootConversation:
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

    @classmethod
    def _from_native(cls, d: Mapping[str, Any]) -> ChatwootConversation:
        return cls(
            id=d["id"],
            uuid=d["uuid"],
            inbox_id=d["inbox_id"],
            status=d["status"],
            contact_last_seen_at=d["contact_last_seen_at"],
            agent_last_seen_at=d["agent_last_seen_at"],
            messages=[ChatwootMessage._from_native(m) for m in d["messages"]],
            contact=d["contact"],
            raw=d["raw"],
        )
