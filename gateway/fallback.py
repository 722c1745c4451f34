"""Serving a shared route from v2 with v1 as the safety net (V2_FALLBACK_TO_V1).

Nothing is buffered on the way out: v2's response passes straight through as soon as it
starts with a status below 500. Until then the gateway holds back a 5xx start (and its
body), and the request body v2 reads is kept (gateway/request_body.py), so that after an
exception, a 5xx or no response start within the timeout, v1 can be served the same
request. A 503 with Retry-After is the exception: it says "busy, or storage down: come
back later" (the batch slots, a storage fault), which v1 in the same process, on the same
database, would answer alike after doing the work twice; it passes through and is no
fallback.

A timed-out attempt is also cancelled cooperatively (core.attempts): v2's sync work runs on
in its worker thread after its task is cancelled, so it is told to stop between items,
before it writes. Whatever it stored anyway has the ids v1's answer derives from the same
request id (core.idempotency), so the request is stored once.

Whatever the client causes is no v2 failure: an error below 500 that v2 raises (a remote
v2's proxy raises the client's disconnect, 499, or its slow body, 408) goes to the error
answer, and an answer below 500 (an in-process v2 answers those itself) passes through.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core import attempts
from core.exceptions import ApiError
from gateway.deadlines import Clock, Deadlines
from gateway.request_body import Body, keep, replay, replayable

logger = logging.getLogger("reqgate.fallback")


def _failed(start: Message) -> bool:
    """A 5xx that v1 may do better, i.e. anything but a 503 asking to retry later."""
    status = start["status"]
    if status == 503:
        return not any(name.lower() == b"retry-after" for name, _ in start.get("headers", []))
    return bool(status >= 500)


async def _held_back() -> None:
    """What sending a message of a held-back answer comes to: nothing goes out."""


def _clients_doing(exc: Exception) -> bool:
    """An error the client caused (gone, too slow, too large): v1 would fare no better."""
    return isinstance(exc, ApiError) and exc.status < 500


class _Attempt:
    """One v2 attempt: holds back a failing answer while the body is replayable."""

    __slots__ = ("_send", "body", "clock", "failed_status", "forwarded")

    def __init__(self, send: Send, body: Body | None) -> None:
        self._send = send
        self.body = body
        self.forwarded = False
        self.failed_status: int | None = None
        self.clock = _Clock()

    def send(self, message: Message) -> Awaitable[None]:
        """The client's send() for the message, or nothing to send while v2's failing answer
        is held back: a plain function, not a coroutine, on the path of every message."""
        if message["type"] == "http.response.start":
            if _failed(message) and replayable(self.body):
                self.failed_status = message["status"]
            else:
                self.forwarded = True
                self.clock.settled = True  # the timeout covers the wait for a start
        return self._send(message) if self.failed_status is None else _held_back()


class _Clock(Clock):
    """The timeout of one attempt: the task to cancel and the work to stop. Apart from the
    attempt, so that the deadline queue, where a settled clock waits until a later request
    pops it, holds neither the client's send nor the body kept for v1."""

    __slots__ = ("cancelled", "task", "timed_out")

    def __init__(self) -> None:
        super().__init__()  # settled: answer started or attempt over
        self.timed_out = False
        self.task: asyncio.Task[Any] | None = None
        self.cancelled: attempts.Cancellation | None = None  # tells v2's threads to stop

    def expire(self) -> None:
        """Cancel the attempt's task and its work: v2 did not start its answer in time."""
        if self.task is not None:
            self.timed_out = True
            self.task.cancel()
            if self.cancelled is not None:
                self.cancelled.set()


async def serve_with_fallback(
    scope: Scope,
    receive: Receive,
    send: Send,
    *,
    body: Body | None,
    v2: ASGIApp,
    v1: ASGIApp,
    deadlines: Deadlines,
    on_fallback: Callable[[str], None],
) -> str | None:
    """Serve from v2, else from v1; returns the cause (exception|status|timeout) or None.

    `receive` is `body.receive` for a request with a body (None: one without), which keeps
    what v2 reads for v1."""
    keep(body)
    attempt = _Attempt(send, body)
    clock = attempt.clock
    cause: str | None = None
    with attempts.attempt() as cancelled:  # v1, served below, runs outside it
        task = asyncio.current_task()
        assert task is not None  # an ASGI app runs in a task
        clock.cancelled, clock.task = cancelled, task
        deadlines.watch(clock, task.get_loop())
        try:
            await v2(dict(scope), receive, attempt.send)
        except asyncio.CancelledError:
            if not clock.timed_out:
                raise
            task.uncancel()
            cause = "timeout"
        except Exception as exc:
            if _clients_doing(exc) or attempt.forwarded or not replayable(body):
                raise
            logger.warning("v2 raised; serving v1", exc_info=True)
            cause = "exception"
        finally:
            clock.settled, clock.task = True, None  # the queue keeps no task alive
    if cause is None and attempt.failed_status is not None:
        cause = "status"
    if cause is None:
        return None
    if not replayable(body):
        raise RuntimeError(f"v2 failed ({cause}) and the body is too large to replay")
    logger.warning(
        "v2 failed; serving v1", extra={"cause": cause, "v2Status": attempt.failed_status}
    )
    on_fallback(cause)
    await v1(dict(scope), replay(body, then=receive), send)
    return cause
