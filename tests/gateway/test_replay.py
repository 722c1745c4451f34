"""The one body replay that fallback and shadow hand to the second app."""

from __future__ import annotations

import asyncio

from starlette.types import Message

from gateway.replay import BodyTape, disconnected


def _chunks(*bodies: bytes) -> list[Message]:
    return [
        {"type": "http.request", "body": body, "more_body": i < len(bodies) - 1}
        for i, body in enumerate(bodies)
    ]


def _feed(messages: list[Message]) -> BodyTape:
    pending = list(messages)

    async def receive() -> Message:
        return pending.pop(0)

    return BodyTape(receive, max_bytes=4)


def test_replay_body_read_then_rest_of_client() -> None:
    async def run() -> list[Message]:
        client = _chunks(b"ab", b"cd", b"ef")
        tape = _feed(client)
        await tape.receive()
        replay = tape.replay(then=tape.receive)
        return [await replay() for _ in range(3)]

    assert asyncio.run(run()) == _chunks(b"ab", b"cd", b"ef")


def test_replay_body_then_disconnect() -> None:
    async def run() -> list[Message]:
        tape = _feed(_chunks(b"ab"))
        await tape.receive()
        replay = tape.replay(then=disconnected)
        return [await replay() for _ in range(3)]

    assert asyncio.run(run()) == [*_chunks(b"ab"), *[{"type": "http.disconnect"}] * 2]


def test_replay_body_over_limit_not_replayable() -> None:
    async def run() -> BodyTape:
        tape = _feed(_chunks(b"abc", b"de"))
        await tape.receive()
        assert tape.replayable
        await tape.receive()
        return tape

    tape = asyncio.run(run())
    assert not tape.replayable
    assert tape.read_bytes == 5
