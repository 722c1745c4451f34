"""A deadline on every request body (HTTP_BODY_TIMEOUT_S), for v1 and v2 alike.

uvicorn waits for a body as long as the client takes to send it: a client that trickles
one byte every few seconds holds its request open for ever. The deadline runs from the
complete request head (the app is called) to the body's last byte. A receive() still
waiting for the body then raises RequestTimeout, which v2's error handlers and the
gateway's ErrorAnswerMiddleware turn into 408 in the error shape.

A response that starts before the body is complete (408, 413, or any early answer) says
`Connection: close`: uvicorn would otherwise keep reading and discarding the rest of the
body for as long as the client sends it, with no deadline, before the connection could
carry another request. The gateway's outer layer (RequestContextMiddleware) runs a body's
deadline and adds that header: a layer of its own was a coroutine call and a send wrapper
per request for the one header (docs/benchmarks.md, "The gateway's outer layer").
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from starlette.types import Message, Receive

from core.exceptions import RequestTimeout
from gateway.deadlines import Clock, Deadlines

CLOSE = (b"connection", b"close")


def has_body(headers: Mapping[bytes, bytes]) -> bool:
    """Whether the request head announces a body (a length above 0, or chunks); the HTTP
    parser has refused a head with two lengths."""
    length = headers.get(b"content-length")
    return (length is not None and length != b"0") or b"transfer-encoding" in headers


class _BodyClock(Clock):
    """The deadline of one body: settled when the body is complete or the request over.

    Kept apart from the body's receive() so that the queue of clocks holds no requests:
    behind a stalled body at its head, the clocks of a whole timeout's requests wait.
    """

    __slots__ = ("cancelling", "timed_out", "waiting")

    def __init__(self) -> None:
        super().__init__()
        self.timed_out = False
        self.waiting: asyncio.Task[Any] | None = None  # the task blocked in receive()
        self.cancelling = 0  # its cancellation requests before the deadline's own

    def expire(self) -> None:
        """A receive() waiting now is cancelled; a later one times out at once."""
        self.timed_out = True
        task = self.waiting
        if task is not None:
            self.cancelling = task.cancelling()
            task.cancel()


class Body:
    """The receive() of one request: bounded by the deadline until the body is complete,
    which `clock.settled` tells (set by the caller too, once the request is over)."""

    __slots__ = ("_receive", "clock", "timeout_s")

    def __init__(self, receive: Receive, deadlines: Deadlines) -> None:
        self._receive = receive
        self.timeout_s = deadlines.timeout_s
        self.clock = _BodyClock()
        deadlines.watch(self.clock)

    def _timeout(self) -> RequestTimeout:
        return RequestTimeout(
            f"request body not received within {self.timeout_s:g} s",
            {"timeoutS": self.timeout_s},
        )

    async def receive(self) -> Message:
        clock = self.clock
        if clock.settled:
            return await self._receive()  # only the disconnect is left to wait for
        if clock.timed_out:
            raise self._timeout()
        task = clock.waiting = asyncio.current_task()
        try:
            message = await self._receive()
        except asyncio.CancelledError:
            # as asyncio.timeout tells its own cancellation from anyone else's
            if clock.timed_out and task is not None and task.uncancel() <= clock.cancelling:
                raise self._timeout() from None
            raise
        finally:
            clock.waiting = None
        if message["type"] != "http.request" or not message.get("more_body", False):
            clock.settled = True
        return message
