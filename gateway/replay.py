"""The request body an app has read, kept to serve the same request to another app.

Fallback hands v1 what v2 read, then the rest of the client's body; shadow hands the
mirror what the primary read (the client is gone by then).
"""

from __future__ import annotations

from collections import deque

from starlette.types import Message, Receive


async def disconnected() -> Message:
    """What a receive returns once the client is gone."""
    return {"type": "http.disconnect"}


class BodyTape:
    """Records the messages read through `receive` while they total at most max_bytes."""

    __slots__ = ("_receive", "max_bytes", "messages", "read_bytes", "replayable")

    def __init__(self, receive: Receive, max_bytes: int | None = None) -> None:
        self._receive = receive
        self.max_bytes = max_bytes
        self.messages: list[Message] = []
        self.read_bytes = 0
        self.replayable = True  # everything read so far is recorded

    async def receive(self) -> Message:
        message = await self._receive()
        # Only the body is recorded: a disconnect read after it (a streaming answer's
        # watcher) would make the replay end another app's answer before it began.
        if self.replayable and message["type"] == "http.request":
            self.messages.append(message)
            self.read_bytes += len(message.get("body", b""))
            self.replayable = self.max_bytes is None or self.read_bytes <= self.max_bytes
        return message

    def replay(self, then: Receive) -> Receive:
        """A receive that returns what was recorded, then what `then` returns."""
        pending = deque(self.messages)

        async def receive() -> Message:
            return pending.popleft() if pending else await then()

        return receive
