"""The exceptions of the commbox package.

Every error the library raises is a :class:`CommboxError`; each kind of core error maps to
exactly one class. They are defined in Python (not in the extension) so that they can also
be Python's own exceptions: :class:`commbox.TimeoutError` is a :class:`builtins.TimeoutError`,
:class:`commbox.ConnectionError` a :class:`builtins.ConnectionError`, :class:`FileError` an
:class:`OSError` and :class:`ValidationError` a :class:`ValueError`.

Every exception says whether sending the same request again can duplicate it:
:attr:`CommboxError.retry_safety` (``"safe"`` or ``"may_duplicate"``) and its shorthand
:attr:`CommboxError.may_duplicate`. A job queue (Celery, RQ) may retry a failed send by
itself only when it is ``"safe"``.

No exception ever contains the API key.
"""

from __future__ import annotations

import builtins
from typing import Any, ClassVar, Dict, Literal, Mapping, Optional, Type

__all__ = [
    "RetrySafety",
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
]


RetrySafety = Literal["safe", "may_duplicate"]
"""Whether sending a failed request again can duplicate it (the core's ``RetrySafety``).

``"safe"``: nothing reached the server, or the server said it did not process the request
(429, 503, another 4xx refusal); sending it again cannot duplicate it, though it may fail
again. ``"may_duplicate"``: the server may have processed it (a timeout or a broken
connection after sending, another 5xx, a 2xx answer that could not be read): sending it
again may create the conversation, message or contact twice, so look it up or ask a person
first. For reads (``get_conversation``, ``list_messages``) a repeat is harmless either way.
"""


class CommboxError(Exception):
    """Base class of every commbox error.

    Attributes:
        message: what went wrong, without the request id.
        retry_safety: ``"safe"`` when sending the same request again cannot duplicate it,
            ``"may_duplicate"`` when the server may have processed it (see
            :data:`RetrySafety`). Independent of the class: a :class:`TimeoutError` is
            ``"safe"`` when it happened while connecting, ``"may_duplicate"`` after sending.
        request_id: the ``X-Request-Id`` this client sent (quote it to CommBox support), or
            None when nothing was sent.
        server_request_id: the request id the server returned, if any.
        status: the HTTP status of the server's answer, if one arrived.
        description: the API's own explanation (CommBox ``description``), if any.
        body: the raw response body (at most 64 KiB), if any.

    ``str(error)`` is the message followed by the request id.
    """

    message: str
    retry_safety: RetrySafety
    request_id: Optional[str]
    server_request_id: Optional[str]
    status: Optional[int]
    description: Optional[str]
    body: Optional[str]

    # What an error made without saying (by the package itself, or by a user) assumes: it may
    # have been processed, the answer that never causes a duplicate.
    _default_retry_safety: ClassVar[RetrySafety] = "may_duplicate"

    def __init__(
        self,
        message: str,
        *,
        retry_safety: Optional[RetrySafety] = None,
        request_id: Optional[str] = None,
        server_request_id: Optional[str] = None,
        status: Optional[int] = None,
        description: Optional[str] = None,
        body: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.retry_safety = self._default_retry_safety if retry_safety is None else retry_safety
        self.request_id = request_id
        self.server_request_id = server_request_id
        self.status = status
        self.description = description
        self.body = body

    @property
    def may_duplicate(self) -> bool:
        """True when the server may have processed the request (``retry_safety ==
        "may_duplicate"``): do not send it again before checking."""
        return self.retry_safety != "safe"

    def __str__(self) -> str:
        if self.request_id:
            return f"{self.message} (request id {self.request_id})"
        return self.message

    def __repr__(self) -> str:
        fields = ", ".join(
            f"{name}={value!r}"
            for name, value in vars(self).items()
            if value is not None and name not in ("message", "body")
        )
        return f"{type(self).__name__}({self.message!r}{', ' if fields else ''}{fields})"


class _FieldError(CommboxError):
    """An error about one field of a request, raised before anything was sent: ``field``
    names it and ``reason`` says why (the core's ``field`` and ``reason``)."""

    field: Optional[str]
    reason: Optional[str]
    # Raised before anything was sent.
    _default_retry_safety: ClassVar[RetrySafety] = "safe"

    def __init__(
        self,
        message: str,
        *,
        field: Optional[str] = None,
        reason: Optional[str] = None,
        **details: Any,
    ) -> None:
        super().__init__(message, **details)
        self.field = field
        self.reason = reason


class ValidationError(_FieldError, ValueError):
    """A request was refused before any I/O: a field is missing or malformed.

    Nothing was sent. ``field`` names what is wrong: the argument (``manager_id``), its path
    inside it (``to[1]``, ``user.email``), or the API field a value became (``Message``,
    ``Content.to[1]``, ``UserStreamProviderId``); ``reason`` says why.
    """


class ApiError(CommboxError):
    """The server answered with an error status.

    ``status`` is the HTTP status, ``description`` the API's explanation and ``body`` the
    raw answer (at most 64 KiB).
    """

    status: int


class BadRequestError(ApiError):
    """HTTP 400, 422 or another 4xx: the server refused the request (see ``description``)."""


class AuthenticationError(ApiError):
    """HTTP 401 or 403: the API key is missing, wrong, revoked or lacks rights."""


class NotFoundError(ApiError):
    """HTTP 404: the stream, conversation or route does not exist."""


class RateLimitError(ApiError):
    """HTTP 429: throttled, after the retries the client was allowed.

    ``retry_after`` is how many seconds the server asked to wait, or None if it did not say.
    """

    retry_after: Optional[float]

    def __init__(self, message: str, *, retry_after: Optional[float] = None, **details: Any) -> None:
        super().__init__(message, **details)
        self.retry_after = retry_after


class ServerError(ApiError):
    """HTTP 5xx, after the retries that were safe."""


class TransportError(CommboxError):
    """No usable answer arrived: timeout, connection or TLS failure."""


class TimeoutError(TransportError, builtins.TimeoutError):
    """No complete answer within the configured timeout. Also a :class:`builtins.TimeoutError`.

    A create that timed out may still have been processed by the server: look it up before
    sending it again.
    """


class ConnectionError(TransportError, builtins.ConnectionError):
    """The connection could not be made, or broke before an answer arrived. Also a
    :class:`builtins.ConnectionError`."""


class TlsError(TransportError):
    """The TLS handshake failed (certificate not trusted, wrong host, protocol error)."""


class DecodeError(CommboxError):
    """The server answered with a body that is not what the API documents."""


class FileError(_FieldError, OSError):
    """A local file could not be read (an attachment, the CA file): missing, not a regular
    file, or no permission. Also an :class:`OSError`.

    Nothing was sent. Like :class:`ValidationError`, ``field`` names the file
    (``attachment "invoice.pdf"``) and ``reason`` says why (``no such file``), when known.
    """


# The core's error kinds (`commbox::ErrorKind::as_str`), one class each.
_CLASS_OF_KIND: Mapping[str, Type[CommboxError]] = {
    "validation": ValidationError,
    "authentication": AuthenticationError,
    "not_found": NotFoundError,
    "rate_limited": RateLimitError,
    "bad_request": BadRequestError,
    "server": ServerError,
    "timeout": TimeoutError,
    "connection": ConnectionError,
    "tls": TlsError,
    "decode": DecodeError,
    "io": FileError,
}


def _from_native(kind: str, message: str, details: Dict[str, Any]) -> CommboxError:
    """Builds the exception for a core error (called by the extension module).

    ``kind`` is the core's error kind; ``closed`` (a closed client), ``internal`` (a Rust
    panic) and kinds newer than this module give the base class.
    """
    cls = _CLASS_OF_KIND.get(kind, CommboxError)
    kwargs: Dict[str, Any] = {
        "retry_safety": details.get("retry_safety"),
        "request_id": details.get("request_id"),
        "server_request_id": details.get("server_request_id"),
        "status": details.get("status"),
        "description": details.get("description"),
        "body": details.get("body"),
    }
    if issubclass(cls, _FieldError):
        kwargs["field"] = details.get("field")
        kwargs["reason"] = details.get("reason")
    if issubclass(cls, RateLimitError):
        kwargs["retry_after"] = details.get("retry_after")
    return cls(message, **kwargs)


def _not_utf8(error: UnicodeEncodeError, **arguments: object) -> BaseException:
    """What a call raises when the native layer could not encode a str argument: a
    :class:`ValidationError` naming the first of ``arguments`` that UTF-8 cannot encode (a
    str with lone surrogates, as ``os.fsdecode`` makes of bytes that are not UTF-8), else
    ``error`` itself. Nothing was sent."""
    for name, value in arguments.items():
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as e:
                reason = f"is not valid UTF-8 ({e.reason} at position {e.start})"
                return ValidationError(f"{name}: {reason}", field=name, reason=reason)
    return error
