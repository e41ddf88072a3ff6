"""A contact's live replies: the core's ActionCable subscription as a blocking iterator
(:class:`LiveReplies`) and an async one (:class:`AsyncLiveReplies`).

Both wrap ``commbox._commbox.NativeLive``: the connection (pings, presence, reconnects with
backoff, resubscription, ``echo_id`` correlation) is the core's, a task on the module's one
async runtime; no thread is started per subscription. A blocking wait releases the GIL (it
takes it back for a moment every 0.2 s, so that Ctrl-C still works).
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Optional, Type, TypedDict, Union

from . import _commbox
from ._errors import ValidationError
from ._models import Contact, LiveEvent

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["LiveReplies", "AsyncLiveReplies", "LiveOptions"]

DEFAULT_ECHO_TIMEOUT = 30.0
"""How long ``wait_for_echo`` waits by default, in seconds."""


class LiveOptions(TypedDict, total=False):
    """How a live subscription behaves, as keyword arguments of :meth:`InboxClient.live`;
    the defaults (None or not given) suit Chatwoot. Durations are in seconds.

    - ``connect_timeout``: time allowed to open the socket (default 10).
    - ``silence_timeout``: a socket silent this long is taken as dead and reopened
      (default 10; Chatwoot pings every 3 s).
    - ``presence_every``: how often the contact's presence is renewed (default 30).
    - ``initial_backoff``: the first wait before reconnecting (default 0.5); it doubles up
      to ``max_backoff`` (default 30), with jitter.
    - ``max_reconnect_attempts``: give up (:class:`ConnectionError`) after this many failed
      connects in a row (default: never).
    """

    connect_timeout: Optional[float]
    silence_timeout: Optional[float]
    presence_every: Optional[float]
    initial_backoff: Optional[float]
    max_backoff: Optional[float]
    max_reconnect_attempts: Optional[int]


def _pubsub_token(contact: Union[str, Contact]) -> str:
    """The token given, or the one of a :class:`Contact` (from ``create_contact`` or
    ``get_contact``)."""
    if isinstance(contact, Contact):
        if not contact.pubsub_token:
            reason = (
                "this Contact has no pubsub_token (update_contact returns the full contact model, "
                "which has none): pass the one from create_contact or get_contact"
            )
            raise ValidationError(f"pubsub_token: {reason}", field="pubsub_token", reason=reason)
        return contact.pubsub_token
    if not isinstance(contact, str):
        raise TypeError(f"pubsub_token must be a str or a commbox.Contact, not {type(contact).__name__}")
    return contact


class LiveReplies:
    """A contact's live subscription, blocking: iterate it for :class:`LiveEvent` records.

    Made by :meth:`InboxClient.live`. The iteration blocks until the next event (GIL
    released) and ends after :meth:`close`; a token the server rejects raises
    :class:`AuthenticationError` once, and then the iteration ends. A lost socket is
    reopened by itself: a ``reconnected`` event says so. Use it as a context manager, or
    call :meth:`close` (from any thread: a ``for`` loop blocked in another thread then
    ends).

    >>> with inbox.live(contact) as live:                        # doctest: +SKIP
    ...     inbox.create_message(contact, conversation.id, "Is it shipped?", echo_id="q-1")
    ...     mine = live.wait_for_echo("q-1", timeout=10)
    ...     for event in live:
    ...         if event.is_agent_reply():
    ...             print("agent:", event.message.content)
    ...             break
    """

    _native: _commbox.NativeLive

    def __init__(self, native: _commbox.NativeLive) -> None:
        self._native = native

    def __iter__(self) -> Self:
        return self

    def __next__(self) -> LiveEvent:
        got = self._native.next(None)
        assert got is not None  # without a timeout, an event or StopIteration
        return LiveEvent._from_pair(got)

    def next(self, timeout: Optional[float] = None) -> Optional[LiveEvent]:
        """The next event, or None when none came within ``timeout`` seconds (None: wait
        as long as it takes). Like the built-in ``next()``, it raises ``StopIteration`` once
        the subscription ended (closed, or after its final error was raised)."""
        got = self._native.next(timeout)
        return None if got is None else LiveEvent._from_pair(got)

    def wait_for_echo(self, echo_id: str, timeout: float = DEFAULT_ECHO_TIMEOUT) -> LiveEvent:
        """Waits for the message sent with ``echo_id`` (``create_message(echo_id=...)``) to
        come back over the socket and returns its event; the events read meanwhile stay for
        the iteration. Raises :class:`TimeoutError` when it does not come within ``timeout``
        seconds, and the subscription's final error if it ends first. Subscribe before
        sending: the socket does not replay what was broadcast before it was subscribed."""
        return LiveEvent._from_pair(self._native.wait_for_echo(echo_id, timeout))

    def close(self) -> None:
        """Closes the socket; callable from any thread. The iteration then yields what was
        already received and ends. Closing twice does nothing."""
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

    def __repr__(self) -> str:
        return "commbox.LiveReplies()"


class AsyncLiveReplies:
    """A contact's live subscription for asyncio: ``async for event in live``.

    Made by :meth:`AsyncInboxClient.live`; the same subscription as :class:`LiveReplies`,
    awaited natively (no thread). Cancelling a waiting task loses no event. For a time
    limit, wrap ``live.__anext__()`` in ``asyncio.wait_for``.

    >>> async with inbox.live(contact) as live:                  # doctest: +SKIP
    ...     async for event in live:
    ...         if event.is_agent_reply():
    ...             print("agent:", event.message.content)
    """

    _native: _commbox.NativeLive

    def __init__(self, native: _commbox.NativeLive) -> None:
        self._native = native

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> LiveEvent:
        got = await self._native.anext()
        if got is None:
            raise StopAsyncIteration
        return LiveEvent._from_pair(got)

    async def wait_for_echo(self, echo_id: str, timeout: float = DEFAULT_ECHO_TIMEOUT) -> LiveEvent:
        """See :meth:`LiveReplies.wait_for_echo`."""
        return LiveEvent._from_pair(await self._native.await_echo(echo_id, timeout))

    def close(self) -> None:
        """Closes the socket, from any thread or task; the iteration then yields what was
        already received and ends."""
        self._native.close()

    async def aclose(self) -> None:
        """Closes the socket (see :meth:`close`)."""
        self._native.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return "commbox.AsyncLiveReplies()"
