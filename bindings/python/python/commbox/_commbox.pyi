"""Type stubs of the native module ``commbox._commbox`` (private: use ``commbox``).

Requests travel as spec dicts built by the ``_spec()`` methods of ``commbox._requests``
(keys named after the core builders' setters; attachments as ``{"path": str}`` or
``{"data": bytes, "name": str}``), results as record dicts turned into dataclasses by
``commbox._models``; the TypedDicts below give the records' shapes.
"""

from typing import Any, Dict, List, Mapping, Optional, Tuple, TypedDict, Union, final

__all__ = ["__version__", "NativeClient", "enum_members", "_after_fork_in_child", "_panic_for_tests"]

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
    def create_conversation(self, stream_id: _Id, spec: Mapping[str, Any]) -> int: ...
    def create_conversation_json(self, stream_id: _Id, object: Mapping[str, Any]) -> int: ...
    def create_message(self, stream_id: _Id, object_id: _Id, spec: Mapping[str, Any]) -> int: ...
    def create_message_json(self, stream_id: _Id, object_id: _Id, child: Mapping[str, Any]) -> int: ...
    def get_conversation(self, stream_id: _Id, object_id: _Id) -> _ConversationRecord: ...
    def set_conversation_status(self, object_id: _Id, status: Union[int, str]) -> None: ...
    def managers(self) -> List[_ManagerRecord]: ...
    def system_status(self) -> _SystemStatusRecord: ...
    def raw_request(self, method: str, path: str, body: Any = None) -> _EnvelopeRecord: ...
    def close(self) -> None: ...

def enum_members(name: str) -> List[Tuple[int, str]]:
    """The core's ``[(value, documented name)]`` for ``ObjectType``, ``ObjectStatusType``
    or ``StreamProviderType``."""

def _after_fork_in_child() -> None:
    """Reseeds the request-id generator of the forking thread (``os.register_at_fork``)."""

def _panic_for_tests() -> None:
    """Panics inside the panic guard: raises ``commbox.CommboxError``."""

