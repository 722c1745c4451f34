"""The one body replay that fallback and shadow hand to the second app: the request body's
receive() keeps what the first app read, once asked; and which bodies need a deadline."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Iterator
from typing import Any, cast
from urllib.parse import urlsplit

import pytest
from starlette.types import Message, Receive, Scope, Send

from gateway.context import request_info
from gateway.deadlines import Deadlines
from gateway.metrics import GatewayMetrics
from gateway.middleware.request_context import RequestContextMiddleware
from gateway.request_body import EMPTY_BODY, Body, replay
from gateway.serving import head_limited
from tests.gateway.fakes import serving


async def disconnected() -> Message:
    """What a receive returns once the client is gone."""
    return {"type": "http.disconnect"}


def _chunks(*bodies: bytes) -> list[Message]:
    return [
        {"type": "http.request", "body": body, "more_body": i < len(bodies) - 1}
        for i, body in enumerate(bodies)
    ]


def _feed(messages: list[Message], *, keep: bool = True) -> Body:
    pending = list(messages)

    async def receive() -> Message:
        return pending.pop(0) if pending else {"type": "http.disconnect"}

    body = Body(receive, Deadlines(5.0), max_kept_bytes=4)
    if keep:
        body.keep()
    return body


def test_replay_body_read_then_rest_of_client() -> None:
    async def run() -> list[Message]:
        body = _feed(_chunks(b"ab", b"cd", b"ef"))
        await body.receive()
        again = replay(body, then=body.receive)
        return [await again() for _ in range(3)]

    assert asyncio.run(run()) == _chunks(b"ab", b"cd", b"ef")


def test_replay_body_then_disconnect() -> None:
    async def run() -> list[Message]:
        body = _feed(_chunks(b"ab"))
        await body.receive()
        again = replay(body, then=disconnected)
        return [await again() for _ in range(3)]

    assert asyncio.run(run()) == [*_chunks(b"ab"), *[{"type": "http.disconnect"}] * 2]


def test_keep_no_disconnect_read_after_the_body() -> None:
    """A streaming answer's watcher reads on after the body: its disconnect would end the
    second app's answer before it began."""

    async def run() -> list[Message]:
        body = _feed(_chunks(b"ab"))
        assert (await body.receive())["type"] == "http.request"
        assert (await body.receive())["type"] == "http.disconnect"
        return list(body.kept or ())

    assert asyncio.run(run()) == _chunks(b"ab")


def test_replay_body_over_limit_not_replayable() -> None:
    async def run() -> Body:
        body = _feed(_chunks(b"abc", b"de", b"f"))
        await body.receive()
        assert body.replayable
        await body.receive()
        await body.receive()
        return body

    body = asyncio.run(run())
    assert not body.replayable
    assert body.kept_bytes == 5  # nothing is kept past the limit


def test_keep_nothing_unless_asked() -> None:
    """Most requests are served once: their body is not held for a second app."""

    async def run() -> Body:
        body = _feed(_chunks(b"ab"), keep=False)
        await body.receive()
        return body

    body = asyncio.run(run())
    assert (body.kept, body.kept_bytes) == (None, 0)
    with pytest.raises(RuntimeError, match="not kept"):
        replay(body, then=disconnected)


def test_replay_empty_body_of_request_without_one() -> None:
    async def run() -> list[Message]:
        again = replay(None, then=disconnected)
        return [await again() for _ in range(2)]

    assert asyncio.run(run()) == [EMPTY_BODY, {"type": "http.disconnect"}]


# Served: whether a body needs a deadline is read from uvicorn's request cycle, on both of
# its HTTP/1.1 protocols (arrived_whole); these cases fail if uvicorn stops telling.


async def _clock_reporter(scope: Scope, receive: Receive, send: Send) -> None:
    """Answers whether its body was under a deadline when the app was called, then the body."""
    body = request_info(scope).body
    assert body is not None
    watched = not body.clock.settled
    received = b""
    while True:
        message = await receive()
        received += message.get("body", b"")
        if not message.get("more_body", False):
            break
    text = json.dumps({"watched": watched, "body": received.decode()}).encode()
    headers = [(b"content-length", str(len(text)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": text})


@pytest.fixture(scope="module", params=["httptools", "h11"])
def served(request: pytest.FixtureRequest) -> Iterator[tuple[str, int]]:
    app = RequestContextMiddleware(
        _clock_reporter, metrics=GatewayMetrics(), body_timeout_s=5.0, max_body_bytes=1024
    )
    with serving(app, http=head_limited(5.0, 4096, parser=request.param)) as url:
        parts = urlsplit(url)
        yield parts.hostname or "", parts.port or 0


HEAD = b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nConnection: close\r\n"
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


def _answer(sock: socket.socket, answer: bytes = b"") -> dict[str, Any]:
    while chunk := sock.recv(65536):
        answer += chunk
    return cast(dict[str, Any], json.loads(answer.rsplit(b"\r\n\r\n", 1)[1]))


def test_body_with_its_head_gets_no_deadline(served: tuple[str, int]) -> None:
    with socket.create_connection(served, timeout=5) as sock:
        sock.sendall(HEAD + b"\r\nabcd")
        assert _answer(sock) == {"watched": False, "body": "abcd"}


def test_body_after_its_head_is_under_the_deadline(served: tuple[str, int]) -> None:
    """A client that waits for 100 Continue sends its body only once the app asks for it:
    the app was called before any of it came (no pause in the test to guess at)."""
    with socket.create_connection(served, timeout=5) as sock:
        sock.sendall(HEAD + b"Expect: 100-continue\r\n\r\n")
        answer = b""
        while not answer.startswith(CONTINUE):
            answer += sock.recv(len(CONTINUE) - len(answer))
        sock.sendall(b"abcd")
        assert _answer(sock) == {"watched": True, "body": "abcd"}
