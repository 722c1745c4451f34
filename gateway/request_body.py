"""The request body as the gateway's apps read it: under a deadline (HTTP_BODY_TIMEOUT_S),
and kept for a second app to read again.

uvicorn waits for a body as long as the client takes to send it: a client that trickles
one byte every few seconds holds its request open for ever. The deadline runs from the
complete request head (the app is called) to the body's last byte. A receive() still
waiting for the body then raises RequestTimeout, which v2's error handlers and the
gateway's error answer (gateway/error_answer.py) turn into 408 in the error shape. A body
that came in the reads that brought its head, as nearly all do, is in the server's buffer
when the app is called: nothing waits for it, so it gets no deadline (`arrived_whole`; a
deadline per request was ~130 bytecodes of it, docs/benchmarks.md §14, "Eighth session").

A response that starts before the body is complete (408, 413, or any early answer) says
`Connection: close`: uvicorn would otherwise keep reading and discarding the rest of the
body for as long as the client sends it, with no deadline, before the connection could
carry another request. The gateway's outer layer (RequestContextMiddleware) runs a body's
deadline and adds that header: a layer of its own was a coroutine call and a send wrapper
per request for the one header (docs/benchmarks.md, "The gateway's outer layer").

The same receive() keeps the body read, once asked (`keep`): fallback hands v1 what v2
read, then the rest of the client's body; shadow hands the mirror what the primary read.
Each had a receive() wrapper of its own, a coroutine call per message and an object per
request (docs/benchmarks.md §14, "Sixth session").
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Mapping
from typing import Any

from starlette.types import Message, Receive

from core.exceptions import RequestTimeout
from gateway.deadlines import Clock, Deadlines

CLOSE = (b"connection", b"close")
# What a request without a body reads first (uvicorn's message for it).
EMPTY_BODY: Message = {"type": "http.request", "body": b"", "more_body": False}


def has_body(headers: Mapping[bytes, bytes]) -> bool:
    """Whether the request head announces a body (a length above 0, or chunks); the HTTP
    parser has refused a head with two lengths."""
    length = headers.get(b"content-length")
    return (length is not None and length != b"0") or b"transfer-encoding" in headers


def arrived_whole(receive: Receive) -> bool:
    """Whether the server holds the whole body already, so that receiving it cannot wait.

    uvicorn's receive() is a method of its request cycle (both HTTP/1.1 protocols), whose
    `more_body` turns False once the body's last byte is parsed. Any other receive() (a test
    client's, another server's) may wait: False. tests/gateway/test_request_body.py serves
    both protocols to pin this.
    """
    return getattr(getattr(receive, "__self__", None), "more_body", True) is False


class _BodyClock(Clock):
    """The deadline of one body: settled when the body is complete (or in the server's
    buffer from the start) or the request over.

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
    """The receive() of one request: bounded by the deadline until the body is complete
    or in the server's buffer, which `clock.settled` tells (set by the caller too, once the
    request is over); keeping the body's messages, once `keep()` is called, while they
    total at most max_kept_bytes.
    """

    __slots__ = (
        "_receive",
        "clock",
        "kept",
        "kept_bytes",
        "loop",
        "max_kept_bytes",
        "read",
        "timeout_s",
    )

    def __init__(self, receive: Receive, deadlines: Deadlines, *, max_kept_bytes: int) -> None:
        self._receive = receive
        self.timeout_s = deadlines.timeout_s
        self.clock = _BodyClock()
        self.loop: asyncio.AbstractEventLoop | None = None  # the deadline's, when it has one
        if arrived_whole(receive):
            self.clock.settled = True
        else:
            self.loop = asyncio.get_running_loop()
            deadlines.watch(self.clock, self.loop)
        self.read = False  # the body's last message (or the disconnect) has been received
        self.kept: list[Message] | None = None  # None: nobody asked for the body again
        self.kept_bytes = 0
        self.max_kept_bytes = max_kept_bytes

    def keep(self) -> None:
        """Keep the body from now on (before the app reads it), for a second app."""
        if self.kept is None:
            self.kept = []

    @property
    def replayable(self) -> bool:
        """Whether everything read so far is kept: a body larger than max_kept_bytes is not."""
        return self.kept_bytes <= self.max_kept_bytes

    def _timeout(self) -> RequestTimeout:
        return RequestTimeout(
            f"request body not received within {self.timeout_s:g} s",
            {"timeoutS": self.timeout_s},
        )

    async def receive(self) -> Message:
        if self.read:
            # Only the disconnect is left to wait for; it is not kept: it would make the
            # replay end another app's answer before it began.
            return await self._receive()
        clock = self.clock
        if clock.settled:  # in the server's buffer, or the request is over: no wait to bound
            message = await self._receive()
        else:
            message = await self._receive_in_time(clock)
        if message["type"] != "http.request":
            self.read = clock.settled = True  # the client is gone
            return message
        kept = self.kept
        if kept is not None and self.kept_bytes <= self.max_kept_bytes:
            kept.append(message)
            self.kept_bytes += len(message.get("body", b""))
        if not message.get("more_body", False):
            self.read = clock.settled = True
        return message

    async def _receive_in_time(self, clock: _BodyClock) -> Message:
        if clock.timed_out:
            raise self._timeout()
        task = clock.waiting = asyncio.current_task(self.loop)
        try:
            return await self._receive()
        except asyncio.CancelledError:
            # as asyncio.timeout tells its own cancellation from anyone else's
            if clock.timed_out and task is not None and task.uncancel() <= clock.cancelling:
                raise self._timeout() from None
            raise
        finally:
            clock.waiting = None


# A request's body for a second app, None for a request without one (nothing to keep,
# always whole): the fallback and the shadow call these rather than test for None each.


def keep(body: Body | None) -> None:
    """Keep the request's body from now on (before the app reads it), if it has one."""
    if body is not None:
        body.keep()


def replayable(body: Body | None) -> bool:
    """Whether a second app can be handed all of the body read so far."""
    return body is None or body.replayable


def replay(body: Body | None, then: Receive) -> Receive:
    """A receive that returns the body kept (an empty one for a request without a body),
    then what `then` returns."""
    if body is not None and body.kept is None:
        raise RuntimeError("the body was not kept: call keep() before the app reads it")
    # a fresh empty message each time: the module's own must not be handed to an app
    pending = deque([dict(EMPTY_BODY)] if body is None else body.kept or ())

    async def receive() -> Message:
        return pending.popleft() if pending else await then()

    return receive
