"""Type stubs of the native module ``commbox._commbox`` (private: use ``commbox``).

CommBox requests travel in the core's JSON forms (docs/json-forms.md), built by the
``_form()`` methods of ``commbox._requests``: ``create_conversation`` takes the
channel-tagged conversation (``{"channel": "email", "identity": ..., ...}``),
``create_message`` the message (``{"identity": ..., "message": ..., ...}``); attachments are
a path, ``{"path", "name", "content_type"}`` or ``{"name", "content_base64",
"content_type"}``. Results are record dicts turned into dataclasses by ``commbox._models``;
the TypedDicts below give the records' shapes.

``NativeInboxClient`` (behind ``commbox.InboxClient``) takes contact specs (keys:
``source_id``, ``identifier``, ``identifier_hash``, ``hmac_token``, ``email``, ``name``,
``phone_number``, ``avatar_url``, ``custom_attributes``) and message specs (``content``,
``echo_id``, ``attachments`` as above).
"""

from typing import Any, Dict, List, Mapping, Optional, Tuple, TypedDict, Union, final

__all__ = [
    "__version__",
    "NativeClient",
    "NativeInboxClient",
    "chatwoot_identifier_hash",
    "enum_members",
]

__version__: str

_Id = Union[int, str]

class _ConversationRecord(TypedDict):
    """``commbox.Conversation`` as the native module returns it (enums as ints)."""

    id: int
    stream_id: Optional[str]
    sub_stream_id: Optional[int]
    status: Optional[int]
    object_type: Optional[int]
    message: Optional[str]
    created_time: Optional[str]
    is_manager: Optional[bool]
    messages: List["_MessageRecord"]
    raw: Dict[str, Any]

class _MessageRecord(TypedDict):
    """``commbox.ConversationMessage`` as the native module returns it."""

    id: int
    object_id: Optional[int]
    object_type: Optional[int]
    message: Optional[str]
    content: Optional[str]
    created_time: Optional[str]
    is_manager: Optional[bool]
    stream_provider_type: Optional[int]
    raw: Dict[str, Any]

class _ManagerRecord(TypedDict):
    """``commbox.Manager`` as the native module returns it."""

    id: int
    identity_id: Optional[int]
    first_name: Optional[str]
    last_name: Optional[str]
    email: Optional[str]
    user_name: Optional[str]
    permission_id: Optional[int]
    team_name: Optional[str]
    raw: Dict[str, Any]

class _SystemStatusRecord(TypedDict):
    """``commbox.SystemStatus`` as the native module returns it."""

    http_status: int
    description: str
    response_time: Optional[str]

class _EnvelopeRecord(TypedDict):
    """``commbox.Envelope`` as the native module returns it."""

    http_status: int
    status: Optional[int]
    description: Optional[str]
    response_time: Optional[str]
    data: Any
    request_id: str

class _InboxRecord(TypedDict):
    """``commbox.Inbox`` as the native module returns it."""

    identifier: Optional[str]
    name: Optional[str]
    identity_validation_enabled: bool
    timezone: Optional[str]
    working_hours_enabled: Optional[bool]
    csat_survey_enabled: Optional[bool]
    greeting_enabled: Optional[bool]
    raw: Dict[str, Any]

class _ContactRecord(TypedDict):
    """``commbox.Contact`` as the native module returns it."""

    id: int
    source_id: Optional[str]
    pubsub_token: Optional[str]
    name: Optional[str]
    email: Optional[str]
    phone_number: Optional[str]
    identifier: Optional[str]
    raw: Dict[str, Any]

class _ChatwootAttachmentRecord(TypedDict):
    """``commbox.MessageAttachment`` as the native module returns it."""

    id: Optional[int]
    file_type: Optional[str]
    extension: Optional[str]
    data_url: Optional[str]
    thumb_url: Optional[str]
    file_size: Optional[int]
    raw: Dict[str, Any]

class _ChatwootMessageRecord(TypedDict):
    """``commbox.ChatwootMessage`` as the native module returns it (``message_type`` an int)."""

    id: int
    content: Optional[str]
    message_type: Optional[int]
    content_type: Optional[str]
    content_attributes: Dict[str, Any]
    created_at: Optional[int]
    conversation_id: Optional[int]
    attachments: List[_ChatwootAttachmentRecord]
    sender: Optional[Dict[str, Any]]
    raw: Dict[str, Any]

class _ChatwootConversationRecord(TypedDict):
    """``commbox.ChatwootConversation`` as the native module returns it."""

    id: int
    uuid: Optional[str]
    inbox_id: Optional[int]
    status: Optional[str]
    contact_last_seen_at: Optional[int]
    agent_last_seen_at: Optional[int]
    messages: List[_ChatwootMessageRecord]
    contact: Optional[Dict[str, Any]]
    raw: Dict[str, Any]

@final
class NativeClient:
    """The native client behind ``commbox.Client``."""

    def __new__(
        cls,
        *,
        api_key: Optional[str] = None,
        base_url: Optional[str] = None,
        timeout: Optional[float] = None,
        connect_timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        ca_file: Optional[str] = None,
        proxy: Optional[str] = None,
        allow_insecure_http: Optional[bool] = None,
        user_agent_suffix: Optional[str] = None,
    ) -> "NativeClient": ...
    @property
    def base_url(self) -> str: ...
    @property
    def closed(self) -> bool: ...
    def create_conversation(self, stream_id: _Id, form: Mapping[str, Any]) -> int: ...
    def create_conversation_json(self, stream_id: _Id, object: Mapping[str, Any]) -> int: ...
    def create_message(self, stream_id: _Id, object_id: _Id, form: Mapping[str, Any]) -> int: ...
    def create_message_json(self, stream_id: _Id, object_id: _Id, child: Mapping[str, Any]) -> int: ...
    def get_conversation(self, stream_id: _Id, object_id: _Id) -> _ConversationRecord: ...
    def set_conversation_status(self, object_id: _Id, status: Union[int, str]) -> None: ...
    def managers(self) -> List[_ManagerRecord]: ...
    def system_status(self) -> _SystemStatusRecord: ...
    def raw_request(self, method: str, path: str, body: Any = None) -> _EnvelopeRecord: ...
    def inbox(self, base_url: str, inbox_identifier: str) -> "NativeInboxClient": ...
    def close(self) -> None: ...

@final
class NativeInboxClient:
    """The native Chatwoot inbox client behind ``commbox.InboxClient``."""

    def __new__(
        cls,
        base_url: str,
        inbox_identifier: str,
        *,
        timeout: Optional[float] = None,
        connect_timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        ca_file: Optional[str] = None,
        proxy: Optional[str] = None,
        allow_insecure_http: Optional[bool] = None,
        user_agent_suffix: Optional[str] = None,
    ) -> "NativeInboxClient": ...
    @property
    def base_url(self) -> str: ...
    @property
    def closed(self) -> bool: ...
    def inbox(self) -> _InboxRecord: ...
    def create_contact(self, spec: Mapping[str, Any]) -> _ContactRecord: ...
    def get_contact(
        self, contact: str, identifier: Optional[str] = None, identifier_hash: Optional[str] = None
    ) -> _ContactRecord: ...
    def update_contact(self, contact: str, spec: Mapping[str, Any]) -> _ContactRecord: ...
    def create_conversation(
        self, contact: str, custom_attributes: Optional[Mapping[str, Any]] = None
    ) -> _ChatwootConversationRecord: ...
    def list_conversations(self, contact: str) -> List[_ChatwootConversationRecord]: ...
    def get_conversation(self, contact: str, conversation_id: _Id) -> _ChatwootConversationRecord: ...
    def resolve_conversation(self, contact: str, conversation_id: _Id) -> _ChatwootConversationRecord: ...
    def set_typing(self, contact: str, conversation_id: _Id, typing: bool) -> None: ...
    def update_last_seen(self, contact: str, conversation_id: _Id) -> None: ...
    def create_message(self, contact: str, conversation_id: _Id, spec: Mapping[str, Any]) -> _ChatwootMessageRecord: ...
    def list_messages(
        self, contact: str, conversation_id: _Id, before: Optional[int] = None
    ) -> List[_ChatwootMessageRecord]: ...
    def update_message(
        self, contact: str, conversation_id: _Id, message_id: _Id, submitted_values: Any
    ) -> _ChatwootMessageRecord: ...
    def close(self) -> None: ...

def chatwoot_identifier_hash(identifier: str, hmac_token: str) -> str:
    """Lowercase hex HMAC-SHA256 of ``identifier`` keyed by ``hmac_token``."""

def enum_members(name: str) -> List[Tuple[int, str]]:
    """The core's ``[(value, documented name)]`` for ``ObjectType``, ``ObjectStatusType``,
    ``StreamProviderType`` or Chatwoot's ``MessageType``."""
