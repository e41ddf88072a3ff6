"""Type stubs of the native module ``commbox._commbox`` (private: use ``commbox``).

CommBox requests travel in the core's JSON forms (docs/json-forms.md), built by the
``_form()`` methods of ``commbox._requests``: ``create_conversation`` takes the
channel-tagged conversation (``{"channel": "email", "identity": ..., ...}``),
``create_message`` the message (``{"identity": ..., "message": ..., ...}``); attachments are
a path, ``{"path", "name", "content_type"}`` or ``{"name", "content_base64",
"content_type"}``. Results are the core's JSON forms of its records (docs/schemas/) as
plain dicts and lists, which ``commbox._models`` turns into its dataclasses (declared there
once each).

``NativeInboxClient`` (behind ``commbox.InboxClient``) takes contact specs (keys:
``source_id``, ``identifier``, ``identifier_hash``, ``hmac_token``, ``email``, ``name``,
``phone_number``, ``avatar_url``, ``custom_attributes``) and message specs (``content``,
``echo_id``, ``attachments`` as above).
"""

from typing import Any, Dict, List, Mapping, Optional, Tuple, Union, final

__all__ = [
    "__version__",
    "NativeClient",
    "NativeInboxClient",
    "chatwoot_identifier_hash",
    "enum_members",
]

__version__: str

_Id = Union[int, str]

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
    def get_conversation(self, stream_id: _Id, object_id: _Id) -> Dict[str, Any]: ...
    def set_conversation_status(self, object_id: _Id, status: Union[int, str]) -> None: ...
    def managers(self) -> List[Dict[str, Any]]: ...
    def system_status(self) -> Dict[str, Any]: ...
    def raw_request(self, method: str, path: str, body: Any = None) -> Dict[str, Any]: ...
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
    def inbox(self) -> Dict[str, Any]: ...
    def create_contact(self, spec: Mapping[str, Any]) -> Dict[str, Any]: ...
    def get_contact(
        self, contact: str, identifier: Optional[str] = None, identifier_hash: Optional[str] = None
    ) -> Dict[str, Any]: ...
    def update_contact(self, contact: str, spec: Mapping[str, Any]) -> Dict[str, Any]: ...
    def create_conversation(
        self, contact: str, custom_attributes: Optional[Mapping[str, Any]] = None
    ) -> Dict[str, Any]: ...
    def list_conversations(self, contact: str) -> List[Dict[str, Any]]: ...
    def get_conversation(self, contact: str, conversation_id: _Id) -> Dict[str, Any]: ...
    def resolve_conversation(self, contact: str, conversation_id: _Id) -> Dict[str, Any]: ...
    def set_typing(self, contact: str, conversation_id: _Id, typing: bool) -> None: ...
    def update_last_seen(self, contact: str, conversation_id: _Id) -> None: ...
    def create_message(self, contact: str, conversation_id: _Id, spec: Mapping[str, Any]) -> Dict[str, Any]: ...
    def list_messages(
        self, contact: str, conversation_id: _Id, before: Optional[int] = None
    ) -> List[Dict[str, Any]]: ...
    def update_message(
        self, contact: str, conversation_id: _Id, message_id: _Id, submitted_values: Any
    ) -> Dict[str, Any]: ...
    def close(self) -> None: ...

def chatwoot_identifier_hash(identifier: str, hmac_token: str) -> str:
    """Lowercase hex HMAC-SHA256 of ``identifier`` keyed by ``hmac_token``."""

def enum_members(name: str) -> List[Tuple[int, str]]:
    """The core's ``[(value, documented name)]`` for ``ObjectType``, ``ObjectStatusType``,
    ``StreamProviderType`` or Chatwoot's ``MessageType``."""
