"""A deadline on every request body (HTTP_BODY_TIMEOUT_S), for v1 and v2 alike.

uvicorn waits for a body as long as the client takes to send it: a client that trickles
one byte every few seconds holds its request open for ever. The deadline runs from the
complete request head (the app is called) to the body's last byte. A receive() still
waiting for the body then raises RequestTimeout, which v2's error handlers and the
gateway's ErrorAnswerMiddleware turn into 408 in the error shape.

A response that starts before the body is complete (408, 413, or any early answer) says
`Connection: close`: uvicorn would otherwise keep reading and discarding the rest of the
body for as long as the client sends it, with no deadline, before the connection could
carry another request.
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.exceptions import RequestTimeout

CLOSE = (b"connection", b"close")


def _has_body(headers: list[tuple[bytes, bytes]]) -> bool:
    for name, value in headers:
        if name == b"content-length":
            return value != b"0"
        if name == b"transfer-encoding":
            return True
    return False


class _Body:
    """The receive() of one request: bounded by the deadline until the body is complete."""

    __slots__ = ("_receive", "complete", "deadline", "timeout_s")

    def __init__(self, receive: Receive, timeout_s: float) -> None:
        self._receive = receive
        self.timeout_s = timeout_s
        self.deadline = asyncio.get_running_loop().time() + timeout_s
        self.complete = False

    async def receive(self) -> Message:
        if self.complete:
            return await self._receive()  # only the disconnect is left to wait for
        try:
            async with asyncio.timeout_at(self.deadline):
                message = await self._receive()
        except TimeoutError:
            raise RequestTimeout(
                f"request body not received within {self.timeout_s:g} s",
                {"timeoutS": self.timeout_s},
            ) from None
        self.complete = message["type"] != "http.request" or not message.get("more_body", False)
        return message


class BodyDeadlineMiddleware:
    """Times out request bodies that arrive too slowly; closes connections left mid-body."""

    def __init__(self, app: ASGIApp, *, timeout_s: float) -> None:
        if timeout_s <= 0:
            raise ValueError("timeout_s must be positive")
        self.app = app
        self.timeout_s = timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _has_body(scope["headers"]):
            await self.app(scope, receive, send)  # nothing to wait for: no cost
            return
        body = _Body(receive, self.timeout_s)

        async def send_closing(message: Message) -> None:
            if message["type"] == "http.response.start" and not body.complete:
                message["headers"] = [*message.get("headers", []), CLOSE]
            await send(message)

        await self.app(scope, body.receive, send_closing)
