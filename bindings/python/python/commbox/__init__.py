"""commbox: a client for the CommBox API.

Open conversations on e-mail, SMS, WhatsApp and chat, and post messages into them as the
customer or as an agent, with attachments streamed from disk::

    import commbox

    with commbox.Client(api_key="...") as client:
        conversation = client.create_email_conversation(
            "hNyRN_fLUy7rrOrN9jLpipA==",            # the channel's stream id
            "customer@example.com", "Your invoice", "Please find it attached.",
            attachments=["invoice.pdf"],
        )
        agent = client.managers()[0].id
        client.create_agent_message(
            "hNyRN_fLUy7rrOrN9jLpipA==", conversation, agent, "agent@example.com", "Any questions?"
        )

It also speaks the Chatwoot / Omnivibe public client API (contacts, conversations and
messages of an API-channel inbox, on behalf of a contact; no API key)::

    with commbox.InboxClient("https://app.chatwoot.com", "tK9s3bVnQ1jUq3rP8kE2xYzA") as inbox:
        contact = inbox.create_contact(source_id="crm-42", name="John Doe", email="john@example.com")
        conversation = inbox.create_conversation(contact)
        inbox.create_message(contact, conversation.id, "Here is my receipt", attachments=["receipt.pdf"])

Webhooks that CommBox and Chatwoot post back are read by :mod:`commbox.webhooks` (parse a
CommBox delivery; verify and parse a Chatwoot one, from the raw body and the headers).

This package is the Python face of libcommbox: the requests are validated, sent and retried
by its Rust core (``commbox._commbox``), with the GIL released during I/O. Errors are
:class:`CommboxError` subclasses. Each API call logs one DEBUG record on the ``commbox``
logger (method, path, status, duration, retries, request id; never the key, and Chatwoot
paths with ``{inbox}`` and ``{contact}`` in place of their identifiers).
"""

from . import _commbox
from ._async_client import AsyncClient, AsyncInboxClient
from ._attachments import Attachment, AttachmentLike
from ._chatwoot import ContactFields, ContactRef, InboxClient, SubmittedValues, chatwoot_identifier_hash
from ._client import Client, ClientSettings, ObjectId, StreamId
from ._enums import MessageType, ObjectStatusType, ObjectType, StreamProviderType
from ._live import AsyncLiveReplies, LiveOptions, LiveReplies
from ._errors import (
    ApiError,
    AuthenticationError,
    BadRequestError,
    CommboxError,
    ConnectionError,
    DecodeError,
    FileError,
    NotFoundError,
    RateLimitError,
    RetrySafety,
    ServerError,
    TimeoutError,
    TlsError,
    TransportError,
    ValidationError,
)
from ._models import (
    ChatwootConversation,
    ChatwootMessage,
    Contact,
    Conversation,
    ConversationMessage,
    Envelope,
    Inbox,
    LiveEvent,
    Manager,
    MessageAttachment,
    SystemStatus,
    UploadProgress,
)
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
    User,
    WhatsAppTemplateConversation,
)

from . import webhooks  # receiving: parse_commbox_delivery, verify_chatwoot, parse_chatwoot_event

__version__: str = _commbox.__version__
"""The libcommbox version this package was built from."""

__all__ = [
    "__version__",
    # clients
    "Client",
    "ClientSettings",
    "AsyncClient",
    "StreamId",
    "ObjectId",
    # requests
    "EmailConversation",
    "SmsConversation",
    "BulkSmsConversation",
    "WhatsAppTemplateConversation",
    "ChatConversation",
    "NewConversation",
    "ConversationOptions",
    "NewMessage",
    "MessageOptions",
    "User",
    "Recipient",
    "Attachment",
    "AttachmentLike",
    # results
    "Conversation",
    "ConversationMessage",
    "Manager",
    "SystemStatus",
    "UploadProgress",
    "Envelope",
    # Chatwoot / Omnivibe
    "InboxClient",
    "AsyncInboxClient",
    "ContactFields",
    "ContactRef",
    "SubmittedValues",
    "chatwoot_identifier_hash",
    "Inbox",
    "Contact",
    "ChatwootConversation",
    "ChatwootMessage",
    "MessageAttachment",
    "MessageType",
    "LiveReplies",
    "AsyncLiveReplies",
    "LiveOptions",
    "LiveEvent",
    # enums
    "ObjectType",
    "ObjectStatusType",
    "StreamProviderType",
    # errors
    "CommboxError",
    "ValidationError",
    "ApiError",
    "BadRequestError",
    "AuthenticationError",
    "NotFoundError",
    "RateLimitError",
    "ServerError",
    "TransportError",
    "TimeoutError",
    "ConnectionError",
    "TlsError",
    "DecodeError",
    "FileError",
    "RetrySafety",
]
