"""What the API returns, as typed read-only records.

Every record keeps what the server sent in ``raw``, so fields this version does not model
are still reachable. The core decodes leniently (ids as strings or numbers, ``id`` or ``Id``):
these classes only give the result attribute access and enum types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, TypeVar

from ._enums import ObjectStatusType, ObjectType, StreamProviderType

__all__ = ["Conversation", "ConversationMessage", "Manager", "SystemStatus", "Envelope"]

_E = TypeVar("_E", ObjectType, ObjectStatusType, StreamProviderType)


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
