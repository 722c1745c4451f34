"""Serving a shared route from v2 with v1 as the safety net (V2_FALLBACK_TO_V1).

Nothing is buffered on the way out: v2's response passes straight through as soon as it
starts with a status below 500. Until then the gateway holds back a 5xx start (and its
body), and a copy of the request body v2 has read is kept, so that after an exception, a
5xx or no response start within the timeout, v1 can be served the same request.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("reqgate.fallback")


class _Attempt:
    """One v2 attempt: records the request body it reads, holds back a failing answer."""

    def __init__(self, receive: Receive, send: Send, max_replay_bytes: int) -> None:
        self._receive, self._send = receive, send
        self.max_replay_bytes = max_replay_bytes
        self.read: list[Message] = []
        self.read_bytes = 0
        self.replayable = True
        self.forwarded = False
        self.failed_status: int | None = None
        self.deadline: asyncio.TimerHandle | None = None
        self.timed_out = False

    async def receive(self) -> Message:
        message = await self._receive()
        if self.replayable:
            self.read.append(message)
            self.read_bytes += len(message.get("body", b""))
            self.replayable = self.read_bytes <= self.max_replay_bytes
        return message

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            if message["status"] >= 500 and self.replayable:
                self.failed_status = message["status"]
            else:
                self.forwarded = True
                self.disarm()  # the timeout covers the wait for a start
        if self.failed_status is None:
            await self._send(message)

    def arm(self, timeout_s: float) -> asyncio.Task[Any]:
        """Cancel the current task (returned) unless v2 starts its answer within timeout_s.

        A bare timer instead of asyncio.timeout(): the same effect at a third of the cost,
        which counts on the hot path.
        """
        task = asyncio.current_task()
        assert task is not None

        def expire() -> None:
            self.timed_out = True
            task.cancel()

        self.deadline = asyncio.get_running_loop().call_later(timeout_s, expire)
        return task

    def disarm(self) -> None:
        if self.deadline is not None:
            self.deadline.cancel()

    def replay(self) -> Receive:
        """A receive that returns what v2 read, then the rest of the client's body."""
        pending = list(self.read)

        async def receive() -> Message:
            return pending.pop(0) if pending else await self._receive()

        return receive


async def serve_with_fallback(
    scope: Scope,
    receive: Receive,
    send: Send,
    *,
    v2: ASGIApp,
    v1: ASGIApp,
    timeout_s: float,
    max_replay_bytes: int,
    on_fallback: Callable[[str], None],
) -> str | None:
    """Serve from v2, else from v1; returns the cause (exception|status|timeout) or None."""
    attempt = _Attempt(receive, send, max_replay_bytes)
    cause: str | None = None
    task = attempt.arm(timeout_s)
    try:
        await v2(dict(scope), attempt.receive, attempt.send)
    except asyncio.CancelledError:
        if not attempt.timed_out:
            raise
        task.uncancel()
        cause = "timeout"
    except Exception:
        if attempt.forwarded or not attempt.replayable:
            raise
        logger.warning("v2 raised; serving v1", exc_info=True)
        cause = "exception"
    finally:
        attempt.disarm()
    if cause is None and attempt.failed_status is not None:
        cause = "status"
    if cause is None:
        return None
    if not attempt.replayable:
        raise RuntimeError(f"v2 failed ({cause}) and the body is too large to replay")
    logger.warning(
        "v2 failed; serving v1", extra={"cause": cause, "v2Status": attempt.failed_status}
    )
    on_fallback(cause)
    await v1(dict(scope), attempt.replay(), send)
    return cause
