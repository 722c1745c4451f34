"""Cooperative cancellation of one attempt at a request.

The gateway gives up on v2 after V2_TIMEOUT_S and serves v1; v2's sync work goes on in its
worker thread, which nothing can interrupt. Whoever runs an attempt opens it with
`attempt()` and sets its flag to give up; batch work calls `check_attempt()` between
items and stops, writing nothing (its writes are one transaction at the end). The flag
travels in a context variable, which worker threads inherit (anyio and core.parallel
copy the context), so core needs to know nothing of who cancels.
"""

from __future__ import annotations

from contextvars import ContextVar

from core.exceptions import AttemptCancelled

_current: ContextVar[Cancellation | None] = ContextVar("attempt_cancelled", default=None)


class Cancellation:
    """The one-way flag of one attempt: set from the event loop, read by worker threads.

    A bool attribute, not a threading.Event: nobody waits on it, and an Event (a Condition
    and its lock) was built for every request the gateway sends to v2, for the rare one
    that times out. Setting and reading one attribute is atomic in CPython. It is its own
    context manager, where a @contextmanager generator cost the gateway ~70 bytecodes a
    request.
    """

    __slots__ = ("_set", "_token")

    def __init__(self) -> None:
        self._set = False

    def set(self) -> None:
        self._set = True

    def is_set(self) -> bool:
        return self._set

    def __enter__(self) -> Cancellation:
        self._token = _current.set(self)
        return self

    def __exit__(self, *_exc: object) -> None:
        _current.reset(self._token)


def attempt() -> Cancellation:
    """The flag of a new attempt: `with attempt() as cancelled:` runs the block as the
    attempt; set the flag to cancel it."""
    return Cancellation()


def check_attempt() -> None:
    """Raise AttemptCancelled if the current attempt was given up."""
    cancelled = _current.get()
    if cancelled is not None and cancelled.is_set():
        raise AttemptCancelled("the attempt was cancelled")
