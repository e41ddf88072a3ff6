"""Receiving webhooks: CommBox deliveries parsed, Chatwoot deliveries verified and parsed.

Framework-agnostic: each function takes the raw body as ``bytes``, exactly as received
(never re-serialised JSON), and, for Chatwoot, the request's headers as any mapping of names
to values (names in any case: a ``dict``, Flask's or Starlette's ``request.headers``,
``handler.headers`` of ``http.server``; see :class:`Headers`)::

    from commbox import webhooks

    event = webhooks.parse_commbox_delivery(body, headers.get("Content-Type"))
    if event.kind == "new_message" and event.child is not None:
        print(event.child.message)

    delivery = webhooks.verify_chatwoot(body, headers, secret="whsec_...")
    if delivery.delivery_id not in seen and delivery.event.is_agent_public_reply():
        forward(delivery.event.message)

The parsing, the limits and the signature check are libcommbox's Rust core's
(``commbox::events``): bodies over :data:`MAX_DELIVERY_BYTES` are refused, XML is read
without any DTD (no entity expansion, no external entities), signatures are compared in
constant time. A body that cannot be read raises :class:`commbox.DecodeError`; a Chatwoot
delivery that is not proven authentic (missing, forged or stale signature) raises
:class:`commbox.AuthenticationError` (answer it with 401). An event this version does not
know is not an error: its ``kind`` is ``"other"`` and its payload is in ``raw``.

The records are the core's JSON forms (docs/schemas/CommBoxEvent.json,
ChatwootDelivery.json, ChatwootEvent.json), the documents the C library returns and the
CLI prints, so ``dataclasses.asdict(event)`` is that document.

A receiver reads at most :data:`MAX_DELIVERY_BYTES` of a body, handles the event (stores
it durably, de-duplicates it by ``delivery_id``) and only then answers 2xx: Chatwoot does
not retry account webhooks, and CommBox documents no retry, so an acknowledged event that
was not kept is lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Iterable, List, Literal, Optional, Protocol, Tuple, Union

from . import _commbox
from ._enums import ObjectStatusType, ObjectType, StreamProviderType
from ._models import ChatwootConversation, Contact, MessageAttachment, _Record

__all__ = [
    "MAX_DELIVERY_BYTES",
    "DEFAULT_TOLERANCE",
    "Headers",
    "parse_commbox_delivery",
    "verify_chatwoot",
    "parse_chatwoot_event",
    "CommBoxEvent",
    "CommBoxEventKind",
    "CommBoxFormat",
    "CommBoxObject",
    "CommBoxChild",
    "CommBoxActivity",
    "CommBoxUser",
    "CommBoxIdentity",
    "ChatwootDelivery",
    "ChatwootEvent",
    "ChatwootEventKind",
    "ChatwootEventMessage",
    "ChatwootSender",
    "ChatwootRef",
]

MAX_DELIVERY_BYTES: int = _commbox.MAX_DELIVERY_BYTES
"""The largest body accepted (1 MiB, the core's ``MAX_DELIVERY_BYTES``): read no more than
this from the socket; a larger body raises :class:`commbox.DecodeError`."""

DEFAULT_TOLERANCE: float = _commbox.DEFAULT_TOLERANCE
"""How far ``X-Chatwoot-Timestamp`` may be from this machine's clock, either way, in seconds
(the core's ``DEFAULT_TOLERANCE``)."""

class Headers(Protocol):
    """A request's headers: any ``Mapping[str, str]`` (a ``dict``, Starlette's headers), or
    anything whose ``items()`` gives (name, value) pairs (Flask's ``request.headers``,
    ``http.server``'s ``handler.headers``). Names are matched ignoring case."""

    def items(self) -> Iterable[Tuple[str, str]]: ...


CommBoxEventKind = Literal[
    "new_conversation",
    "new_message",
    "activity",
    "status_changed",
    "object_tags_updated",
    "user_created",
    "user_updated",
    "user_tags_updated",
    "satisfaction_submitted",
    "form_submitted",
    "chat_user_exited",
    "tag_changed",
    "other",
]
"""What a CommBox event is (``CommBoxEvent.kind``), by entity and event name."""

CommBoxFormat = Literal["xml", "event_json", "payload_json", "json"]
"""Which of CommBox's documented shapes a delivery came in (``json``: none of them)."""

ChatwootEventKind = Literal[
    "message_created",
    "message_updated",
    "conversation_created",
    "conversation_status_changed",
    "conversation_updated",
    "contact_created",
    "contact_updated",
    "webwidget_triggered",
    "conversation_typing_on",
    "conversation_typing_off",
    "inbox_created",
    "inbox_updated",
    "other",
]
"""Which Chatwoot event a delivery carries (``ChatwootEvent.kind``)."""


# -- CommBox ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommBoxIdentity(_Record):
    """A customer's identity on one channel."""

    id: Optional[int] = None
    """``Id``."""
    stream_provider_id: Optional[str] = None
    """``StreamProviderId``: the address on the channel (phone, e-mail, chat id)."""
    stream_provider_type: Optional[StreamProviderType] = None
    """``StreamProviderType``."""
    email: Optional[str] = None
    """``StreamProviderEmail``."""
    user_name: Optional[str] = None
    """``UserName``."""
    first_name: Optional[str] = None
    """``FirstName``."""
    last_name: Optional[str] = None
    """``LastName``."""
    raw: Any = field(default=None, repr=False, compare=False)
    """What was sent for the identity."""


@dataclass(frozen=True)
class CommBoxUser(_Record):
    """A customer (CommBox "user") as a webhook carries it."""

    id: Optional[int] = None
    """``Id``."""
    unique_id: Optional[str] = None
    """``UniqueID``."""
    first_name: Optional[str] = None
    """``FirstName``."""
    last_name: Optional[str] = None
    """``LastName``."""
    email: Optional[str] = None
    """``Email``."""
    phone1: Optional[str] = None
    """``Phone1``."""
    identity: Optional[CommBoxIdentity] = None
    """``Identity``: the channel identity the event came through."""
    raw: Any = field(default=None, repr=False, compare=False)
    """What was sent for the user."""


@dataclass(frozen=True)
class CommBoxObject(_Record):
    """The conversation (CommBox "object") an event is about."""

    id: Optional[int] = None
    """``Id`` (the ``payload`` shape of ``OnNew`` may not carry it)."""
    stream_id: Optional[int] = None
    """``StreamId``."""
    sub_stream_id: Optional[int] = None
    """``SubStreamId``."""
    status: Optional[ObjectStatusType] = None
    """``StatusId``."""
    message: Optional[str] = None
    """``Message``: the first message's text."""
    content: Any = None
    """``Content``: a dict (parsed when it came as JSON text)."""
    manager_id: Optional[int] = None
    """``ManagerId``: the assigned agent (0: none)."""
    snippet: Optional[str] = None
    """``Snippet``."""
    user: Optional[CommBoxUser] = None
    """``User``: the customer."""
    raw: Any = field(default=None, repr=False, compare=False)
    """What was sent for the object (XML: attributes and elements as strings)."""


@dataclass(frozen=True)
class CommBoxChild(_Record):
    """A message (CommBox "child"): the new one of ``OnNewChild``."""

    id: Optional[int] = None
    """``Id``."""
    object_id: Optional[int] = None
    """``ObjectId``, or the enclosing object's id."""
    created_date: Optional[str] = None
    """``CreateDate`` as sent (``26-03-2017 06:36:15``)."""
    object_type: Optional[ObjectType] = None
    """``Type``."""
    stream_provider_id: Optional[str] = None
    """``StreamProviderId``: the channel's identity of the sender."""
    stream_provider_type: Optional[StreamProviderType] = None
    """``StreamProviderType``."""
    message: Optional[str] = None
    """``Message``: the text."""
    content: Any = None
    """``Content``: a dict (parsed when it came as JSON text)."""
    manager_id: Optional[int] = None
    """``ManagerId``: the agent who wrote it (0 or None: the customer)."""
    snippet: Optional[str] = None
    """``Snippet``."""
    user: Optional[CommBoxUser] = None
    """``User``: who wrote it."""
    raw: Any = field(default=None, repr=False, compare=False)
    """What was sent for the child."""


@dataclass(frozen=True)
class CommBoxActivity(_Record):
    """An activity on a conversation (``OnNewActivity``)."""

    activity_type: Optional[int] = None
    """``ActivityType``: 1 remark, 2 status change, 3 forward, 4 reply to a forward, 5 stream
    change, 6 manager assignment, 7 tag, 8 follow-up, 9 intent, 10 attachment, 19
    participants."""
    status: Optional[ObjectStatusType] = None
    """For a status change: the new status (``Data.statusId``)."""
    data: Any = None
    """``Data``: a dict (parsed when it came as JSON text), or the text itself."""
    created_time: Optional[str] = None
    """``CreatedTime`` as sent."""
    raw: Any = field(default=None, repr=False, compare=False)
    """What was sent for the activity."""


@dataclass(frozen=True)
class CommBoxEvent(_Record):
    """One CommBox webhook delivery, parsed (:func:`parse_commbox_delivery`)."""

    kind: CommBoxEventKind
    """What happened: ``"new_message"``, ``"status_changed"``, …, ``"other"``."""
    entity: Optional[str] = None
    """``Subscription`` as sent (``Object``, ``User``, ``Satisfaction``, ``Form``, ``Chat``,
    ``Tag``)."""
    name: Optional[str] = None
    """The event's ``Name`` as sent (``OnNewChild``, …)."""
    brand: Optional[str] = None
    """``Brand``: the CommBox account."""
    format: CommBoxFormat = "json"
    """The shape the delivery came in."""
    object: Optional[CommBoxObject] = None
    """The conversation, for Object events."""
    child: Optional[CommBoxChild] = None
    """The message, for ``new_message`` (and ``new_conversation`` when it lists one)."""
    activity: Optional[CommBoxActivity] = None
    """The activity, for ``activity`` and ``status_changed``."""
    user: Optional[CommBoxUser] = None
    """The customer, for User events."""
    data: Any = None
    """The entity's own element for events not typed here (tags, ``Satisfaction``, ``Form``,
    ``Chat``, ``Tag``; for ``other``, what was sent)."""
    raw: Any = field(default=None, repr=False, compare=False)
    """The whole delivery as JSON (XML read into JSON)."""


# -- Chatwoot --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChatwootSender(_Record):
    """Who sent a message, or who is typing."""

    id: Optional[int] = None
    """``id``."""
    name: Optional[str] = None
    """``name``."""
    sender_type: Optional[str] = None
    """``type`` as sent: ``user`` (an agent), ``contact``, ``agent_bot``."""
    email: Optional[str] = None
    """``email``."""
    raw: Any = field(default=None, repr=False, compare=False)
    """What was sent for the sender."""


@dataclass(frozen=True)
class ChatwootRef(_Record):
    """An account or an inbox, as an event names it."""

    id: Optional[int] = None
    """``id``."""
    name: Optional[str] = None
    """``name``."""
    raw: Any = field(default=None, repr=False, compare=False)
    """What was sent."""


@dataclass(frozen=True)
class ChatwootEventMessage(_Record):
    """A message as a webhook carries it (``message_created``, ``message_updated``)."""

    id: Optional[int] = None
    """``id``."""
    content: Optional[str] = None
    """``content`` (None for attachment-only messages)."""
    content_type: Optional[str] = None
    """``content_type`` (``text``, ``input_select``, ``cards``, …)."""
    content_attributes: Any = field(default_factory=dict)
    """``content_attributes`` (``{}`` when absent)."""
    message_type: Optional[str] = None
    """``incoming``, ``outgoing``, ``activity`` or ``template`` (a string in webhooks)."""
    private: bool = False
    """A private note, which the contact never sees."""
    source_id: Optional[str] = None
    """The message's id on the channel."""
    sender: Optional[ChatwootSender] = None
    """``sender``."""
    conversation_id: Optional[int] = None
    """The conversation's display id."""
    created_at: Any = None
    """``created_at`` as sent (ISO 8601 text in webhooks)."""
    attachments: List[MessageAttachment] = field(default_factory=list)
    """``attachments``."""
    raw: Any = field(default=None, repr=False, compare=False)
    """What was sent for the message (for a message event: the whole body)."""


@dataclass(frozen=True)
class ChatwootEvent(_Record):
    """One Chatwoot webhook event, parsed."""

    kind: ChatwootEventKind
    """Which event: ``"message_created"``, …, ``"other"``."""
    event: Optional[str] = None
    """``event`` as sent."""
    message: Optional[ChatwootEventMessage] = None
    """For message events: the message."""
    conversation: Optional[ChatwootConversation] = None
    """The conversation the event is about, when it has one."""
    contact: Optional[Contact] = None
    """The contact: the body of contact events, else the conversation's sender."""
    user: Optional[ChatwootSender] = None
    """For typing events: who is typing."""
    is_private: Optional[bool] = None
    """For typing events: typing a private note."""
    changed_attributes: Any = None
    """``changed_attributes`` (conversation and contact updates)."""
    account: Optional[ChatwootRef] = None
    """``account``."""
    inbox: Optional[ChatwootRef] = None
    """``inbox`` (the body of inbox events)."""
    raw: Any = field(default=None, repr=False, compare=False)
    """The whole body as sent."""

    # The core's answer to is_agent_public_reply(), set when the event is built (not a field:
    # it is no part of the JSON form).
    _agent_public_reply: ClassVar[bool] = False

    def is_agent_public_reply(self) -> bool:
        """True for ``message_created`` carrying an agent's public reply (outgoing, not a
        private note, sent by a user): what a bridge forwards to the customer. The core's
        rule (``ChatwootEvent::is_agent_public_reply``)."""
        return self._agent_public_reply


@dataclass(frozen=True)
class ChatwootDelivery(_Record):
    """A verified Chatwoot delivery (:func:`verify_chatwoot`): its event and its headers."""

    delivery_id: Optional[str]
    """``X-Chatwoot-Delivery``, the same on a retry: drop a delivery whose id you have seen
    (None when the header was absent)."""
    timestamp: Optional[int]
    """``X-Chatwoot-Timestamp`` (unix seconds)."""
    verified: bool
    """True: the signature and the timestamp were checked."""
    event: ChatwootEvent
    """The event."""


# -- functions -------------------------------------------------------------------------------


def _with_reply_flag(event: ChatwootEvent, agent_public_reply: bool) -> ChatwootEvent:
    object.__setattr__(event, "_agent_public_reply", agent_public_reply)
    return event


def _header_bytes(text: Union[str, bytes]) -> bytes:
    # http.server decodes header bytes as Latin-1, others as UTF-8 with surrogateescape:
    # either way the core compares the names ignoring ASCII case and hashes nothing of them.
    return text if isinstance(text, bytes) else text.encode("utf-8", "surrogateescape")


def parse_commbox_delivery(body: bytes, content_type: Optional[str]) -> CommBoxEvent:
    """Parses a CommBox webhook delivery from its raw body and the request's
    ``Content-Type`` (None when it had none): XML, JSON with an ``Event`` wrapper, or JSON
    with a ``payload`` wrapper, leniently.

    CommBox signs nothing: authenticate the request yourself (a secret in the URL path).

    Raises :class:`commbox.DecodeError` (message starting ``body:``) when the body is over
    :data:`MAX_DELIVERY_BYTES`, not UTF-8, not JSON, or not well-formed XML (a DOCTYPE or an
    entity is refused, never expanded).
    """
    document = _commbox.parse_commbox_delivery(bytes(body), content_type)
    return CommBoxEvent._from_native(document)


def verify_chatwoot(
    body: bytes,
    headers: Headers,
    secret: Union[str, bytes],
    *,
    tolerance: float = DEFAULT_TOLERANCE,
) -> ChatwootDelivery:
    """Verifies a Chatwoot webhook delivery and parses its event.

    ``headers`` are the request's (any mapping, or anything whose ``items()`` gives (name,
    value) pairs; names in any case): ``X-Chatwoot-Signature``
    must be ``sha256=`` and the HMAC-SHA256 of ``"{X-Chatwoot-Timestamp}.{body}"`` under
    ``secret`` (compared in constant time), and the timestamp within ``tolerance`` seconds
    of this machine's clock, either way.

    Raises :class:`commbox.AuthenticationError` (message starting with the header at fault)
    for a missing, malformed, forged or stale signature or timestamp;
    :class:`commbox.DecodeError` for a body over :data:`MAX_DELIVERY_BYTES` or, once
    verified, not JSON; :class:`commbox.ValidationError` for an empty secret or a negative
    tolerance.

    For installations that sign nothing (before Chatwoot 4.11), use
    :func:`parse_chatwoot_event` and read ``X-Chatwoot-Delivery`` yourself, by that explicit
    choice.
    """
    pairs = [(_header_bytes(name), _header_bytes(value)) for name, value in headers.items()]
    key = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
    document, agent_public_reply = _commbox.verify_chatwoot(bytes(body), pairs, key, float(tolerance))
    delivery = ChatwootDelivery._from_native(document)
    _with_reply_flag(delivery.event, agent_public_reply)
    return delivery


def parse_chatwoot_event(body: bytes) -> ChatwootEvent:
    """Parses a Chatwoot webhook body into its event WITHOUT checking any signature: for a
    body already verified, or from an installation that signs nothing, by your explicit
    choice. Deliveries from the network go through :func:`verify_chatwoot`.

    Raises :class:`commbox.DecodeError` (message starting ``body:``) when the body is over
    :data:`MAX_DELIVERY_BYTES`, not UTF-8 or not JSON.
    """
    document, agent_public_reply = _commbox.parse_chatwoot_event(bytes(body))
    return _with_reply_flag(ChatwootEvent._from_native(document), agent_public_reply)

