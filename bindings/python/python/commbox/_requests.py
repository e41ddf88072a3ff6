"""Requests that open a conversation (one class per channel) or add a message.

These are plain dataclasses: building one checks nothing. Every field is validated by the
core when the request is sent (``Client.create_conversation`` / ``create_message``), before
any I/O; a bad field raises :class:`commbox.ValidationError` naming it, and nothing is sent.

Each channel fills in CommBox's documented ``Type`` / ``StreamProviderType`` /
``UserStreamProviderType`` for it; the common options below override them when needed.

Common options of every channel:
    status: initial state (``StatusId``), e.g. ``ObjectStatusType.SENT``.
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

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Tuple, TypedDict, TypeVar, Union

from ._attachments import AttachmentLike, _attachment_spec
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


@dataclass
class User:
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

    def _spec(self) -> Dict[str, Any]:
        return {
            "unique_id": self.unique_id,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "phone1": self.phone1,
            "email": self.email,
            "remarks": self.remarks,
        }


class ConversationOptions(TypedDict, total=False):
    """The common options of every channel, as keyword arguments (see the module docs)."""

    status: Union[ObjectStatusType, int]
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


_T = TypeVar("_T")


def _items(name: str, value: Sequence[_T]) -> List[_T]:
    """A list field as a list. A lone string is refused: iterating it would send one
    recipient (or parameter, or file) per character."""
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a list, not a single {type(value).__name__}: use [{value!r}]")
    return list(value)


def _common_spec(request: Any) -> Dict[str, Any]:
    """The options every channel shares, from a request dataclass."""
    user: Optional[User] = request.user
    return {
        "status": request.status,
        "manager_id": request.manager_id,
        "user_identity": request.user_identity,
        "sub_stream_id": request.sub_stream_id,
        "stream_provider_id": request.stream_provider_id,
        "user": None if user is None else user._spec(),
        "object_type": request.object_type,
        "stream_provider_type": request.stream_provider_type,
        "identity_type": request.identity_type,
        "attachments": [_attachment_spec(a) for a in _items("attachments", request.attachments)],
        "fields": dict(request.fields),
    }


def _recipients(items: Sequence[Recipient]) -> List[Tuple[str, Optional[str]]]:
    return [(r, None) if isinstance(r, str) else (r[0], r[1]) for r in items]


@dataclass
class EmailConversation:
    """An e-mail conversation (``Type`` 5 Mail, ``StreamProviderType`` 4).

    ``identity`` is the address the conversation is filed under; ``to`` defaults to it.
    ``attachment_urls`` are ``(url, name)`` pairs the server downloads itself.
    """

    identity: str
    subject: str
    message: str
    to: Sequence[Recipient] = ()
    cc: Sequence[Recipient] = ()
    bcc: Sequence[Recipient] = ()
    attachment_urls: Sequence[Tuple[str, str]] = ()
    status: Optional[Union[ObjectStatusType, int]] = None
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

    def _spec(self) -> Dict[str, Any]:
        return {
            "channel": "email",
            "identity": self.identity,
            "subject": self.subject,
            "message": self.message,
            "to": _recipients(_items("to", self.to)),
            "cc": _recipients(_items("cc", self.cc)),
            "bcc": _recipients(_items("bcc", self.bcc)),
            "attachment_urls": [tuple(u) for u in _items("attachment_urls", self.attachment_urls)],
            **_common_spec(self),
        }


@dataclass
class SmsConversation:
    """An SMS conversation with one customer (``Type`` 4, ``StreamProviderType`` 5).

    ``phone`` is the number with country code; a leading ``+`` is removed.
    """

    phone: str
    message: str
    status: Optional[Union[ObjectStatusType, int]] = None
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

    def _spec(self) -> Dict[str, Any]:
        return {"channel": "sms", "identity": self.phone, "message": self.message, **_common_spec(self)}


@dataclass
class BulkSmsConversation:
    """One SMS to several recipients (``sendToClient`` and ``Content.to``).

    ``phone`` is the identity the conversation is filed under, ``recipients`` the numbers it
    goes to (at least one). With ``send_to_client`` (default) CommBox sends without saving.
    """

    phone: str
    message: str
    recipients: Sequence[str] = ()
    send_to_client: bool = True
    status: Optional[Union[ObjectStatusType, int]] = None
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

    def _spec(self) -> Dict[str, Any]:
        return {
            "channel": "bulk_sms",
            "identity": self.phone,
            "message": self.message,
            "to": _items("recipients", self.recipients),
            "send_to_client": self.send_to_client,
            **_common_spec(self),
        }


@dataclass
class WhatsAppTemplateConversation:
    """A WhatsApp template (HSM) message opening a conversation (``StreamProviderType`` 7).

    ``template`` is the approved template's name (``whatsapp_hsm_name``), ``params`` its
    parameters in order and ``language`` its language code (``en``, ``he``, ``pt_BR``).
    ``to`` defaults to ``phone``.
    """

    phone: str
    template: str
    message: str
    params: Sequence[str] = ()
    language: Optional[str] = None
    to: Sequence[str] = ()
    status: Optional[Union[ObjectStatusType, int]] = None
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

    def _spec(self) -> Dict[str, Any]:
        return {
            "channel": "whatsapp_template",
            "identity": self.phone,
            "template": self.template,
            "message": self.message,
            "params": _items("params", self.params),
            "language": self.language,
            "to": _items("to", self.to),
            **_common_spec(self),
        }


@dataclass
class ChatConversation:
    """A chat conversation (``StreamProviderType`` 0, ``createChildObject``).

    ``identity`` is the customer's phone number or e-mail address (an ``@`` makes it
    e-mail). With ``create_child_object`` (default) the message is also stored as the
    first message of the conversation.
    """

    identity: str
    message: str
    create_child_object: bool = True
    status: Optional[Union[ObjectStatusType, int]] = None
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

    def _spec(self) -> Dict[str, Any]:
        return {
            "channel": "chat",
            "identity": self.identity,
            "message": self.message,
            "create_child_object": self.create_child_object,
            **_common_spec(self),
        }


NewConversation = Union[
    EmailConversation,
    SmsConversation,
    BulkSmsConversation,
    WhatsAppTemplateConversation,
    ChatConversation,
]
"""Any request that opens a conversation: what ``Client.create_conversation`` takes."""


@dataclass
class NewMessage:
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
    attachments_as_base64: bool = False
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

    def _spec(self) -> Dict[str, Any]:
        return {
            "identity": self.identity,
            "message": self.message,
            "agent_id": self.agent_id,
            "identity_type": self.identity_type,
            "object_type": self.object_type,
            "attachments": [_attachment_spec(a) for a in _items("attachments", self.attachments)],
            "attachments_as_base64": self.attachments_as_base64,
            "fields": dict(self.fields),
        }
