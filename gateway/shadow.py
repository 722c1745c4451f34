"""Shadow mode (SHADOW_PERCENT): mirror shared-route requests to the other variant.

The client's response is never delayed or changed: the primary's request body and JSON
response are copied as they pass, and once the client has its answer a background task
sends the same request to the other variant and compares both bodies, normalized (ids and
timings removed). Outcomes are counted in `reqgate_shadow_requests_total`; a mismatch also
logs the route and request id, never a body. At most MAX_IN_FLIGHT mirrors run at once;
beyond that, requests are simply not mirrored.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.metrics import GatewayMetrics
from gateway.replay import BodyTape, disconnected

MAX_IN_FLIGHT = 16
# Fields that differ on every call (ids, timings) and so between variants too.
VOLATILE_KEYS = frozenset(
    {"evaluationId", "rewrittenId", "decisionId", "latencyMs", "requestId", "durationMs"}
)
logger = logging.getLogger("reqgate.shadow")


def normalized(value: Any) -> Any:
    """The JSON without the fields that differ on every call."""
    if isinstance(value, dict):
        return {k: normalized(v) for k, v in value.items() if k not in VOLATILE_KEYS}
    if isinstance(value, list):
        return [normalized(v) for v in value]
    return value


class _Copy:
    """What passed through one exchange: request messages, response status and JSON body."""

    def __init__(self, limit: int, receive: Receive = disconnected) -> None:
        self.limit = limit
        self.request = BodyTape(receive)
        self.status = 0
        self.json = False
        self.body = bytearray()
        self.complete = True

    def record_response(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            content_type = dict(message.get("headers", [])).get(b"content-type", b"")
            self.json = content_type.startswith(b"application/json")
        elif self.json:
            self.body += message.get("body", b"")
            self.complete = self.complete and len(self.body) <= self.limit


class Shadow:
    def __init__(self, metrics: GatewayMetrics, *, max_bytes: int) -> None:
        self.metrics = metrics
        self.max_bytes = max_bytes
        self.tasks: set[asyncio.Task[None]] = set()

    def has_room(self) -> bool:
        return len(self.tasks) < MAX_IN_FLIGHT

    def tap(self, receive: Receive, send: Send) -> tuple[_Copy, Receive, Send]:
        """Receive and send callables that copy what passes, for a later mirror()."""
        copy = _Copy(self.max_bytes, receive)

        async def tapped_send(message: Message) -> None:
            copy.record_response(message)
            await send(message)

        return copy, copy.request.receive, tapped_send

    def mirror(self, copy: _Copy, other: ASGIApp, scope: Scope, route: str) -> None:
        """Start the background comparison (the client already has its answer)."""
        if not (copy.json and copy.complete):
            return
        task = asyncio.ensure_future(self._compare(copy, other, dict(scope), route))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _compare(self, primary: _Copy, other: ASGIApp, scope: Scope, route: str) -> None:
        mirror = _Copy(self.max_bytes)

        async def collect(message: Message) -> None:
            mirror.record_response(message)

        try:
            await other(scope, primary.request.replay(disconnected), collect)
            same = mirror.status == primary.status and normalized(
                json.loads(mirror.body)
            ) == normalized(json.loads(primary.body))
            outcome = "match" if same else "mismatch"
        except Exception:  # noqa: BLE001  a failing mirror must never reach the client
            outcome = "error"
        self.metrics.shadow.labels(route, outcome).inc()
        if outcome != "match":
            logger.warning(
                "shadow %s",
                outcome,
                extra={"route": route, "statuses": [primary.status, mirror.status]},
            )
