"""Requests that open a conversation (one class per channel) or add a message.

These are plain dataclasses: building one checks nothing. Each is sent as the core's JSON
form of the request, whose keys are these fields' names (``{"channel": "sms", "identity":
..., "message": ...}``, the form ``commbox batch`` and the C library read too), and the core
checks every field before any I/O: a bad one raises :class:`commbox.ValidationError` whose
``field`` is the argument's name (or its path inside it: ``to[1]``, ``user.email``), and
nothing is sent.

Each channel fills in CommBox's documented ``Type`` / ``StreamProviderType`` /
``UserStreamProviderType`` for it; the common options below override them when needed.

Common options of every channel:
    status: initial state (``StatusId``), e.g. ``ObjectStatusType.SENT`` or its name ``"sent"``.
    manager_id: the agent the conversation is sent from (``ManagerId``).
    user_identity: CommBox's number for the user (``UserIdentity``).
    sub_stream_id: the sub-channel (``SubStreamId``).
    stream_provider_id: the provider's id of the original conversation.
    user: the customer record (:class:`User`).
    object_type / stream_provider_type / identity_type: override the channel's defaults.
    attachments: files to upload (paths, ``(name, bytes)``, binary files, :class:`Attachment`).
    fields: any other top-level field, for what this version does not model yet.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Dict, Mapping, Optional, Sequence, Tuple, TypedDict, Union

from ._attachments import AttachmentLike, _attachment_forms, _is_list
from ._enums import ObjectStatusType, ObjectType, StreamProviderType

if TYPE_CHECKING:
    # Only for type checkers (typeshed ships it): no runtime dependency.
    from typing_extensions import Unpack

__all__ = [
    "User",
    "EmailConversation",
    "SmsConversation",
    "BulkSmsConversation",
    "WhatsAppTemplateConversation",
    "ChatConversation",
    "NewConversation",
    "NewMessage",
    "Recipient",
    "ConversationOptions",
    "MessageOptions",
]

Recipient = Union[str, Tuple[str, str]]
"""An e-mail recipient: ``"a@example.com"`` or ``("a@example.com", "Display Name")``."""

Status = Union[ObjectStatusType, int, str]
"""A conversation status: an :class:`ObjectStatusType`, its number or its documented name
(``"open"``, ``"In Process"``)."""


class _Form:
    """A request sent as the core's JSON form: each dataclass field is the key of its name
    (``_CHANNEL`` adds ``"channel"``). An optional field left as None is left out; a
    required one is sent as it is, so that the core names it. Values are only converted
    from their Python forms (tuples, dataclasses, paths, bytes) to JSON: the core checks
    them."""

    _CHANNEL: ClassVar[Optional[str]] = None

    def _form(self) -> Dict[str, Any]:
        form: Dict[str, Any] = {} if self._CHANNEL is None else {"channel": self._CHANNEL}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            optional = f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
            if value is None and optional:
                continue
            form[f.name] = _CONVERT.get(f.name, _json)(value)
        return form


def _json(value: Any) -> Any:
    """A Python value as JSON values: request dataclasses as their forms, mappings as dicts,
    sequences (not str) as lists; everything else as it is (the native side refuses what JSON
    cannot hold, naming where it is)."""
    if isinstance(value, _Form):
        return value._form()
    if isinstance(value, Mapping):
        return {k: _json(v) for k, v in value.items()}
    if _is_list(value):
        return [_json(v) for v in value]
    return value


def _pairs(first: str, second: str) -> Callable[[Any], Any]:
    """A list whose ``(a, b)`` tuples are the JSON objects ``{first: a, second: b}``."""

    def convert(value: Any) -> Any:
        if not _is_list(value):
            return value
        return [
            {first: item[0], second: item[1]} if isinstance(item, tuple) and len(item) == 2 else _json(item)
            for item in value
        ]

    return convert


_CONVERT: Dict[str, Callable[[Any], Any]] = {
    "to": _pairs("address", "name"),
    "cc": _pairs("address", "name"),
    "bcc": _pairs("address", "name"),
    "attachment_urls": _pairs("url", "name"),
    "attachments": _attachment_forms,
}
"""The fields whose Python forms differ from their JSON forms (see :func:`_json`)."""


@dataclass
class User(_Form):
    """The customer of a conversation (CommBox's ``User`` record). Set the fields you have."""

    unique_id: Optional[str] = None
    """Your own id for the customer (``UniqueId``)."""
    first_name: Optional[str] = None
    """``FirstName``."""
    last_name: Optional[str] = None
    """``LastName``."""
    phone1: Optional[str] = None
    """``Phone1``, sent as given (CommBox stores it as free text)."""
    email: Optional[str] = None
    """``Email``, checked to be an e-mail address."""
    remarks: Optional[str] = None
    """``Remarks``: free text shown to agents."""


class ConversationOptions(TypedDict, total=False):
    """The common options of every channel, as keyword arguments (see the module docs)."""

    status: Status
    manager_id: int
    user_identity: int
    sub_stream_id: int
    stream_provider_id: str
    user: User
    object_type: Union[ObjectType, int]
    stream_provider_type: Union[StreamProviderType, int]
    identity_type: Union[StreamProviderType, int]
    attachments: Sequence[AttachmentLike]
    fields: Mapping[str, Any]


class MessageOptions(TypedDict, total=False):
    """The options of a new message, as keyword arguments (see :class:`NewMessage`)."""

    identity_type: Union[StreamProviderType, int]
    object_type: Union[ObjectType, int]
    attachments: Sequence[AttachmentLike]
    attachments_as_base64: bool
    fields: Mapping[str, Any]


@dataclass
class EmailConversation(_Form):
    """An e-mail conversation (``Type`` 5 Mail, ``StreamProviderType`` 4).

    ``identity`` is the address the conversation is filed under; ``to`` defaults to it.
    ``attachment_urls`` are ``(url, name)`` pairs the server downloads itself.
    """

    _CHANNEL = "email"

    identity: str
    subject: str
    message: str
    to: Sequence[Recipient] = ()
    cc: Sequence[Recipient] = ()
    bcc: Sequence[Recipient] = ()
    attachment_urls: Sequence[Tuple[str, str]] = ()
    status: Optional[Status] = None
    manager_id: Optional[int] = None
    user_identity: Optional[int] = None
    sub_stream_id: Optional[int] = None
    stream_provider_id: Optional[str] = None
    user: Optional[User] = None
    object_type: Optional[Union[ObjectType, int]] = None
    stream_provider_type: Optional[Union[StreamProviderType, int]] = None
    identity_type: Optional[Union[StreamProviderType, int]] = None
    attachments: Sequence[AttachmentLike] = ()
    fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class SmsConversation(_Form):
    """An SMS conversation with one customer (``Type`` 4, ``StreamProviderType`` 5).

    ``identity`` is the customer's number with country code; a leading ``+`` is removed.
    """

    _CHANNEL = "sms"

    identity: str
    message: str
    status: Optional[Status] = None
    manager_id: Optional[int] = None
    user_identity: Optional[int] = None
    sub_stream_id: Optional[int] = None
    stream_provider_id: Optional[str] = None
    user: Optional[User] = None
    object_type: Optional[Union[ObjectType, int]] = None
    stream_provider_type: Optional[Union[StreamProviderType, int]] = None
    identity_type: Optional[Union[StreamProviderType, int]] = None
    attachments: Sequence[AttachmentLike] = ()
    fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class BulkSmsConversation(_Form):
    """One SMS to several recipients (``sendToClient`` and ``Content.to``).

    ``identity`` is the number the conversation is filed under, ``recipients`` the numbers
    it goes to (at least one). With ``send_to_client`` (the core's default when None: on)
    CommBox sends without saving.
    """

    _CHANNEL = "bulk_sms"

    identity: str
    message: str
    recipients: Sequence[str] = ()
    send_to_client: Optional[bool] = None
    status: Optional[Status] = None
    manager_id: Optional[int] = None
    user_identity: Optional[int] = None
    sub_stream_id: Optional[int] = None
    stream_provider_id: Optional[str] = None
    user: Optional[User] = None
    object_type: Optional[Union[ObjectType, int]] = None
    stream_provider_type: Optional[Union[StreamProviderType, int]] = None
    identity_type: Optional[Union[StreamProviderType, int]] = None
    attachments: Sequence[AttachmentLike] = ()
    fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class WhatsAppTemplateConversation(_Form):
    """A WhatsApp template (HSM) message opening a conversation (``StreamProviderType`` 7).

    ``template`` is the approved template's name (``whatsapp_hsm_name``), ``params`` its
    parameters in order and ``language`` its language code (``en``, ``he``, ``pt_BR``).
    ``identity`` is the customer's WhatsApp number; ``to`` defaults to it.
    """

    _CHANNEL = "whatsapp_template"

    identity: str
    template: str
    message: str
    params: Sequence[str] = ()
    language: Optional[str] = None
    to: Sequence[str] = ()
    status: Optional[Status] = None
    manager_id: Optional[int] = None
    user_identity: Optional[int] = None
    sub_stream_id: Optional[int] = None
    stream_provider_id: Optional[str] = None
    user: Optional[User] = None
    object_type: Optional[Union[ObjectType, int]] = None
    stream_provider_type: Optional[Union[StreamProviderType, int]] = None
    identity_type: Optional[Union[StreamProviderType, int]] = None
    attachments: Sequence[AttachmentLike] = ()
    fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class ChatConversation(_Form):
    """A chat conversation (``StreamProviderType`` 0, ``createChildObject``).

    ``identity`` is the customer's phone number or e-mail address (an ``@`` makes it
    e-mail). With ``create_child_object`` (the core's default when None: on) the message
    is also stored as the first message of the conversation.
    """

    _CHANNEL = "chat"

    identity: str
    message: str
    create_child_object: Optional[bool] = None
    status: Optional[Status] = None
    manager_id: Optional[int] = None
    user_identity: Optional[int] = None
    sub_stream_id: Optional[int] = None
    stream_provider_id: Optional[str] = None
    user: Optional[User] = None
    object_type: Optional[Union[ObjectType, int]] = None
    stream_provider_type: Optional[Union[StreamProviderType, int]] = None
    identity_type: Optional[Union[StreamProviderType, int]] = None
    attachments: Sequence[AttachmentLike] = ()
    fields: Mapping[str, Any] = field(default_factory=dict)


NewConversation = Union[
    EmailConversation,
    SmsConversation,
    BulkSmsConversation,
    WhatsAppTemplateConversation,
    ChatConversation,
]
"""Any request that opens a conversation: what ``Client.create_conversation`` takes."""


@dataclass
class NewMessage(_Form):
    """A message in an existing conversation, on behalf of the customer or of an agent.

    ``identity`` is the writer's e-mail address or phone number (its type is inferred: an
    ``@`` makes it e-mail; ``identity_type`` sets it). With ``agent_id`` (an agent's ``id``
    from ``Client.managers()``) the message is the agent's, else the customer's. The text
    may be empty when there are attachments. ``attachments_as_base64`` sends them in
    CommBox's ``filename:{name};base64:{data}`` form (still streamed) instead of as uploads.

    Prefer the constructors :meth:`from_customer` and :meth:`from_agent`.
    """

    identity: str
    message: str = ""
    agent_id: Optional[int] = None
    identity_type: Optional[Union[StreamProviderType, int]] = None
    object_type: Optional[Union[ObjectType, int]] = None
    attachments: Sequence[AttachmentLike] = ()
    attachments_as_base64: Optional[bool] = None
    fields: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_customer(cls, identity: str, message: str = "", **options: Unpack[MessageOptions]) -> NewMessage:
        """A message shown to the agents as written by the customer ``identity``."""
        return cls(identity=identity, message=message, **options)

    @classmethod
    def from_agent(
        cls, agent_id: int, identity: str, message: str = "", **options: Unpack[MessageOptions]
    ) -> NewMessage:
        """A message sent to the customer by agent ``agent_id`` (its ``Manager.id``), whose
        own e-mail address or phone number is ``identity``."""
        return cls(identity=identity, message=message, agent_id=agent_id, **options)

