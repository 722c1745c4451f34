"""Cooperative cancellation of one attempt at a request.

The gateway gives up on v2 after V2_TIMEOUT_S and serves v1; v2's sync work goes on in its
worker thread, which nothing can interrupt. Whoever runs an attempt opens it with
`attempt()` and sets the event to give up; batch work calls `check_attempt()` between
items and stops, writing nothing (its writes are one transaction at the end). The event
travels in a context variable, which worker threads inherit (anyio and core.parallel
copy the context), so core needs to know nothing of who cancels.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from core.exceptions import AttemptCancelled

_current: ContextVar[threading.Event | None] = ContextVar("attempt_cancelled", default=None)


@contextmanager
def attempt() -> Iterator[threading.Event]:
    """Run the block as one attempt; set the yielded event to cancel it."""
    cancelled = threading.Event()
    token = _current.set(cancelled)
    try:
        yield cancelled
    finally:
        _current.reset(token)


def check_attempt() -> None:
    """Raise AttemptCancelled if the current attempt was given up."""
    cancelled = _current.get()
    if cancelled is not None and cancelled.is_set():
        raise AttemptCancelled("the attempt was cancelled")
