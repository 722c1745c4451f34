"""The one body replay that fallback and shadow hand to the second app: the request body's
receive() keeps what the first app read, once asked."""

from __future__ import annotations

import asyncio

import pytest
from starlette.types import Message

from gateway.deadlines import Deadlines
from gateway.request_body import EMPTY_BODY, Body, replay


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
