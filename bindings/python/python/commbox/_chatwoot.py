"""The Chatwoot / Omnivibe public client API: contacts, conversations and messages of one
API-channel inbox, on behalf of a contact.

Chatwoot's public API has no token: the inbox identifier and the contact's ``source_id`` in
the paths are its only access control. So they are never logged (the ``commbox`` logger
shows ``{inbox}`` and ``{contact}``) nor shown in ``repr``.
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Mapping, NoReturn, Optional, Sequence, Type, TypedDict, Union

from . import _commbox
from ._attachments import AttachmentLike, _attachment_forms
from ._client import ClientSettings, _options
from ._errors import ValidationError, _not_utf8
from ._live import LiveOptions, LiveReplies, _pubsub_token
from ._models import ChatwootConversation, ChatwootMessage, Contact, Inbox

if TYPE_CHECKING:
    # Only for type checkers (typeshed ships it): no runtime dependency.
    from typing_extensions import Self, Unpack

__all__ = ["InboxClient", "ContactFields", "ContactRef", "SubmittedValues", "chatwoot_identifier_hash"]

ContactRef = Union[str, Contact]
"""A contact, as the later calls take it: its ``source_id``, or the :class:`Contact` that
``create_contact`` or ``get_contact`` returned (which carries it)."""

SubmittedValues = Union[Sequence[Mapping[str, Any]], Mapping[str, Any]]
"""What answers a bot or CSAT message: ``[{"name": ..., "title": ..., "value": ...}]``, or
``{"csat_survey_response": {"rating": 5, "feedback_message": "..."}}``."""


class ContactFields(TypedDict, total=False):
    """The fields of a contact, as keyword arguments of ``create_contact`` and
    ``update_contact``. All are optional (None is the same as not given); they are checked
    before anything is sent.

    - ``identifier``: your user id, matched across the account.
    - ``identifier_hash``: the hex HMAC-SHA256 of ``identifier`` with the inbox's HMAC token,
      required when the inbox has identity validation on (see
      :func:`chatwoot_identifier_hash`).
    - ``hmac_token``: the inbox's HMAC token, to compute ``identifier_hash`` from
      ``identifier`` here instead (never sent). Keep it on your server.
    - ``email``: checked to be an e-mail address.
    - ``name``.
    - ``phone_number``: E.164 with the ``+`` (``"+972541234567"``), as Chatwoot requires.
    - ``avatar_url``: an http(s) URL Chatwoot fetches the picture from.
    - ``custom_attributes``: a dict of JSON values.
    """

    identifier: Optional[str]
    identifier_hash: Optional[str]
    hmac_token: Optional[str]
    email: Optional[str]
    name: Optional[str]
    phone_number: Optional[str]
    avatar_url: Optional[str]
    custom_attributes: Optional[Mapping[str, Any]]


_CONTACT_KEYS = frozenset(ContactFields.__annotations__)


def chatwoot_identifier_hash(identifier: str, hmac_token: str) -> str:
    """The ``identifier_hash`` Chatwoot expects for ``identifier`` with the inbox's HMAC token
    (Settings > Configuration of the inbox): lowercase hex HMAC-SHA256. Compute it on your
    server, where the token stays secret.

    >>> len(commbox.chatwoot_identifier_hash("user-42", "inbox-hmac-token"))  # doctest: +SKIP
    64
    """
    return _commbox.chatwoot_identifier_hash(identifier, hmac_token)


def _source_id(contact: ContactRef) -> str:
    """The ``source_id`` of a contact given as itself or as a :class:`Contact`."""
    if isinstance(contact, Contact):
        if not contact.source_id:
            reason = (
                "this Contact has no source_id (update_contact returns the full contact model, "
                "which has none): pass the source_id from create_contact"
            )
            raise ValidationError(f"contact_identifier: {reason}", field="contact_identifier", reason=reason)
        return contact.source_id
    if not isinstance(contact, str):
        raise TypeError(f"contact must be a source_id (str) or a commbox.Contact, not {type(contact).__name__}")
    try:
        contact.encode("utf-8")
    except UnicodeEncodeError as e:
        raise _not_utf8(e, contact_identifier=contact) from None
    return contact


def _contact_spec(fields: Mapping[str, Any], *, source_id: Optional[str] = None) -> Dict[str, Any]:
    # source_id stays allowed in updates at run time so that the core refuses it by name.
    unknown = sorted(set(fields) - _CONTACT_KEYS - {"source_id"})
    if unknown:
        raise TypeError(f"unexpected contact field(s) {', '.join(unknown)}: expected {', '.join(sorted(_CONTACT_KEYS))}")
    spec = dict(fields)
    if source_id is not None:
        spec["source_id"] = source_id
    return spec


def _message_spec(content: str, echo_id: Optional[str], attachments: Sequence[AttachmentLike]) -> Dict[str, Any]:
    """The core's ``NewInboxMessage`` form (``create_message`` of the sync and async clients)."""
    return {"content": content, "echo_id": echo_id, "attachments": _attachment_forms(attachments)}


class InboxClient:
    """A client of one inbox of the Chatwoot public client API (Chatwoot and its forks, such
    as Omnivibe): contacts, their conversations and their messages.

    ``base_url`` is the installation (``https://app.chatwoot.com``, an Omnivibe host) and
    ``inbox_identifier`` the API channel's identifier (Settings > Inboxes > Configuration).
    No API key is used. The other settings are those of :class:`ClientSettings` (left as
    None they come from the ``COMMBOX_*`` variables, then the defaults); :meth:`Client.inbox`
    makes one that shares a client's connection pool instead.

    Like :class:`Client`: safe to share between threads (calls release the GIL), rebuilt on
    first use in a forked child, one DEBUG record per call on the ``commbox`` logger (with the
    paths' identifiers shown as ``{inbox}`` and ``{contact}``), every request checked before
    any I/O. Use it as a context manager, or call :meth:`close`.

    >>> with commbox.InboxClient("https://app.chatwoot.com", "tK9s3bVn") as inbox:  # doctest: +SKIP
    ...     contact = inbox.create_contact(source_id="crm-42", name="John Doe")
    ...     conversation = inbox.create_conversation(contact)
    ...     inbox.create_message(contact, conversation.id, "Hello", attachments=["receipt.pdf"])
    """

    _native: _commbox.NativeInboxClient

    def __init__(self, base_url: str, inbox_identifier: str, **settings: Unpack[ClientSettings]) -> None:
        try:
            options = _options(None, base_url, settings)
            self._native = _commbox.NativeInboxClient(options, inbox_identifier)
        except UnicodeEncodeError as e:
            raise _not_utf8(e, base_url=base_url, inbox_identifier=inbox_identifier, **settings) from None

    @classmethod
    def _wrap(cls, native: _commbox.NativeInboxClient) -> InboxClient:
        """An InboxClient around a native one (from ``Client.inbox``)."""
        inbox = cls.__new__(cls)
        inbox._native = native
        return inbox

    @property
    def base_url(self) -> str:
        """The Chatwoot installation requests go to."""
        return self._native.base_url

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called (for an inbox from :meth:`Client.inbox`, also
        once that client was closed)."""
        return self._native.closed

    def __repr__(self) -> str:
        state = ", closed" if self.closed else ""
        return f"commbox.InboxClient(base_url={self.base_url!r}{state})"

    # -- lifecycle -------------------------------------------------------------------------

    def close(self) -> None:
        """Stops the client; later calls raise :class:`CommboxError`, calls already running
        finish first. One built alone releases its connection pool; one from
        :meth:`Client.inbox` leaves the pool to its client. Closing twice does nothing."""
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
            "a commbox.InboxClient cannot be pickled: it holds a connection pool and the inbox "
            "identifier. Create a client in each process from your settings."
        )

    def __copy__(self) -> InboxClient:
        return self

    def __deepcopy__(self, memo: Any) -> InboxClient:
        return self

    # -- the inbox and its contacts --------------------------------------------------------

    def inbox(self) -> Inbox:
        """The inbox's settings: a cheap way to check the identifier, and whether identity
        validation is on (``identity_validation_enabled``)."""
        return Inbox._from_native(self._native.inbox())

    def create_contact(self, *, source_id: Optional[str] = None, **fields: Unpack[ContactFields]) -> Contact:
        """Creates a contact in the inbox and returns it with its ``source_id``; keep it (or
        the returned :class:`Contact`): every later call takes it.

        ``source_id`` is your own id for the contact in this inbox (default: a random UUID);
        creating again with a known one returns that contact unchanged. ``fields`` are those
        of :class:`ContactFields`; ``hmac_token=`` computes ``identifier_hash`` from
        ``identifier``. Chatwoot may attach the new source_id to an existing contact with the
        same identifier, e-mail or phone number.
        """
        return Contact._from_native(self._native.create_contact(_contact_spec(fields, source_id=source_id)))

    def get_contact(
        self,
        contact: ContactRef,
        *,
        identifier: Optional[str] = None,
        identifier_hash: Optional[str] = None,
        hmac_token: Optional[str] = None,
    ) -> Contact:
        """The contact (by ``source_id``), with its ``source_id`` and ``pubsub_token``.

        On an inbox with identity validation Chatwoot checks the HMAC here too: give the
        contact's ``identifier`` with its ``identifier_hash``, or with the inbox's
        ``hmac_token`` to compute it (the token itself is never sent; it needs ``identifier``
        and excludes ``identifier_hash``)."""
        found = self._native.get_contact(_source_id(contact), identifier, identifier_hash, hmac_token)
        return Contact._from_native(found)

    def update_contact(self, contact: ContactRef, **fields: Unpack[ContactFields]) -> Contact:
        """Changes the given fields (those of :class:`ContactFields`) and returns the full
        contact model, which has no ``source_id``. Reality, not the swagger: a contact given
        another contact's e-mail address or phone number is merged into it, and the answer is
        that other contact."""
        return Contact._from_native(self._native.update_contact(_source_id(contact), _contact_spec(fields)))

    # -- conversations ---------------------------------------------------------------------

    def create_conversation(
        self, contact: ContactRef, custom_attributes: Optional[Mapping[str, Any]] = None
    ) -> ChatwootConversation:
        """Opens a conversation for the contact, with optional ``custom_attributes`` (a dict of
        JSON values). On an inbox locked to a single conversation, Chatwoot returns the
        contact's existing one."""
        return ChatwootConversation._from_native(
            self._native.create_conversation(_source_id(contact), custom_attributes)
        )

    def list_conversations(self, contact: ContactRef) -> List[ChatwootConversation]:
        """The contact's conversations in this inbox, each with its messages."""
        return [ChatwootConversation._from_native(c) for c in self._native.list_conversations(_source_id(contact))]

    def get_conversation(self, contact: ContactRef, conversation_id: int) -> ChatwootConversation:
        """One conversation (by its display id) with every public message."""
        return ChatwootConversation._from_native(self._native.get_conversation(_source_id(contact), conversation_id))

    def resolve_conversation(self, contact: ContactRef, conversation_id: int) -> ChatwootConversation:
        """Resolves the conversation and returns it (already resolved stays resolved)."""
        return ChatwootConversation._from_native(
            self._native.resolve_conversation(_source_id(contact), conversation_id)
        )

    def set_typing(self, contact: ContactRef, conversation_id: int, typing: bool) -> None:
        """Shows (True) or hides (False) the contact's typing indicator to the agents."""
        self._native.set_typing(_source_id(contact), conversation_id, bool(typing))

    def update_last_seen(self, contact: ContactRef, conversation_id: int) -> None:
        """Marks the conversation as seen by the contact now."""
        self._native.update_last_seen(_source_id(contact), conversation_id)

    # -- messages --------------------------------------------------------------------------

    def create_message(
        self,
        contact: ContactRef,
        conversation_id: int,
        content: str = "",
        *,
        echo_id: Optional[str] = None,
        attachments: Sequence[AttachmentLike] = (),
    ) -> ChatwootMessage:
        """Posts a message from the contact and returns it.

        ``content`` has at most 150 000 characters and may be empty when files are attached.
        ``attachments`` (at most 15) take the same forms as CommBox messages: paths (streamed
        from disk), ``(name, bytes)``, binary file objects or :class:`Attachment`; they are
        sent as multipart ``attachments[]``. ``echo_id`` is echoed on the contact's websocket
        only, never in this answer: correlate by the returned ``id``.
        """
        spec = _message_spec(content, echo_id, attachments)
        return ChatwootMessage._from_native(self._native.create_message(_source_id(contact), conversation_id, spec))

    def list_messages(
        self, contact: ContactRef, conversation_id: int, before: Optional[int] = None
    ) -> List[ChatwootMessage]:
        """Up to 20 messages, oldest first: the latest ones, or with ``before`` (a message id)
        the 20 before it, to page back through a long conversation."""
        found = self._native.list_messages(_source_id(contact), conversation_id, before)
        return [ChatwootMessage._from_native(m) for m in found]

    def iter_messages(self, contact: ContactRef, conversation_id: int) -> Iterator[ChatwootMessage]:
        """Every message of the conversation the API shows, newest first, fetched a page (20)
        at a time (``before=`` the oldest seen) as the iterator is read, with the GIL
        released while a page is fetched. An error is raised once and ends the iteration.

        >>> for message in inbox.iter_messages(contact, conversation.id):  # doctest: +SKIP
        ...     print(message.id, message.content)
        """
        pages = self._native.iter_messages(_source_id(contact), conversation_id)
        return (ChatwootMessage._from_native(m) for m in pages)

    # -- live replies ----------------------------------------------------------------------

    def live(self, pubsub_token: Union[str, Contact], **options: Unpack[LiveOptions]) -> LiveReplies:
        """Subscribes to the contact's live updates over the installation's ``/cable``
        websocket (as Chatwoot's widget does) and returns a blocking iterator of
        :class:`LiveEvent` records: the agents' replies as they are sent, the contact's own
        messages coming back with their ``echo_id``, status changes, typing.

        ``pubsub_token`` is the contact's (``create_contact`` and ``get_contact`` return it;
        the :class:`Contact` itself is accepted); ``options`` are those of
        :class:`LiveOptions`. Nothing is sent before it returns: the connection runs in the
        background, answers pings, reconnects and resubscribes by itself. A blank token
        raises :class:`ValidationError` here; one the server rejects raises
        :class:`AuthenticationError` from the iteration. See :class:`LiveReplies`.
        """
        return LiveReplies(self._native.live(_pubsub_token(pubsub_token), dict(options)))

    def update_message(
        self, contact: ContactRef, conversation_id: int, message_id: int, submitted_values: SubmittedValues
    ) -> ChatwootMessage:
        """Answers a bot or CSAT message: ``submitted_values`` is a list of
        ``{"name", "title", "value"}`` dicts, or ``{"csat_survey_response": {"rating": 5,
        "feedback_message": "..."}}``. Returns the updated message."""
        updated = self._native.update_message(_source_id(contact), conversation_id, message_id, submitted_values)
        return ChatwootMessage._from_native(updated)
