"""Shadow mode (SHADOW_PERCENT): mirror shared-route requests to the other variant.

The client's response is never delayed or changed: the primary's request body and answer
are copied as they pass, and once the client has its answer a background task sends the same
request to the other variant as a dry run (core/dry_run.py: its writes are rolled back, so
it stores, audits and corrects nothing) and compares the two answers (gateway/json_diff.py).
A sample (SHADOW_NOISE_PERCENT) also runs the primary a second time: where two runs of one
variant differ is noise, not a mismatch (gateway/shadow_report.py).

Mirrors have their own budget of SHADOW_MAX_IN_FLIGHT; with the budget full a request is
not mirrored and counts as `dropped`. The in-process v1 mirror runs on a thread pool of its
own (gateway/app.py), so it never takes a thread from a client's v1 request. Outcomes are
counted in `reqgate_shadow_comparisons_total{route,result}` and logged under
`reqgate.shadow`, marked dryRun, never with a body.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Scope, Send

from core.dry_run import dry_run
from gateway.json_diff import Difference, differences, judgements, normalized
from gateway.metrics import GatewayMetrics
from gateway.request_body import Body, keep, replay, replayable
from gateway.shadow_report import Comparison, ShadowReport

JSON_TYPES = (b"application/json", b"application/x-ndjson")
logger = logging.getLogger("reqgate.shadow")


class _Copy:
    """What passed through one exchange: the request body (kept by its receive(), None for
    a request without one), response status and JSON body."""

    def __init__(self, limit: int, request: Body | None = None) -> None:
        self.limit = limit
        self.request = request
        self.status = 0
        self.content_type = b""
        self.body = bytearray()
        self.complete = True

    def record_response(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.content_type = dict(message.get("headers", [])).get(b"content-type", b"")
        elif self.comparable and self.complete:  # past the limit nothing more is kept
            self.body += message.get("body", b"")
            self.complete = len(self.body) <= self.limit

    @property
    def comparable(self) -> bool:
        return self.content_type.startswith(JSON_TYPES)

    def answer(self) -> Answer:
        """The status and the decoded body (an NDJSON stream as its list of lines); no body
        when it was not JSON or too large to keep."""
        if not (self.comparable and self.complete):
            return Answer(self.status, None)
        if self.content_type.startswith(b"application/x-ndjson"):
            lines = self.body.splitlines()
            return Answer(self.status, [json.loads(line) for line in lines if line.strip()])
        return Answer(self.status, json.loads(self.body))


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: Any

    def differences(self, other: Answer, *, tolerance: float) -> list[Difference]:
        """Where this answer and another differ; a status differs at `(status)`."""
        found = differences(self.body, other.body, tolerance=tolerance)
        if self.status != other.status:
            found.insert(0, Difference("(status)", str(self.status), str(other.status)))
        return found


async def _stays_connected() -> Message:
    """What a mirror receives after the body: nothing, ever. A disconnect would make a
    streamed answer stop early; the mirror's timeout bounds the wait instead."""
    await asyncio.get_running_loop().create_future()
    raise AssertionError("unreachable: the future is never resolved")


@dataclass(frozen=True, slots=True)
class ShadowOptions:
    max_bytes: int
    max_in_flight: int
    noise_percent: int
    tolerance: float
    timeout_s: float  # a mirror's whole answer (V2_TIMEOUT_S): then it counts as an error


class Shadow:
    """Starts mirrors within the budget and records their comparisons in the report."""

    def __init__(
        self,
        metrics: GatewayMetrics,
        report: ShadowReport,
        mirrors: Mapping[str, ASGIApp | None],
        options: ShadowOptions,
    ) -> None:
        self.metrics = metrics
        self.report = report
        self.mirrors = mirrors
        self.options = options
        self.tasks: set[asyncio.Task[None]] = set()

    def admits(self, route: str) -> bool:
        """Whether a request picked for mirroring fits the budget (else counted `dropped`)."""
        if len(self.tasks) < self.options.max_in_flight:
            return True
        self.metrics.shadow.labels(route, "dropped").inc()
        return False

    def skip(self, route: str) -> None:
        """Count a request picked for mirroring that left nothing to compare."""
        self.metrics.shadow.labels(route, "skipped").inc()

    def tap(self, send: Send, body: Body | None) -> tuple[_Copy, Send]:
        """A send callable that copies what passes, and the request's body kept, for a
        later mirror()."""
        keep(body)
        copy = _Copy(self.options.max_bytes, body)

        def tapped_send(message: Message) -> Awaitable[None]:
            copy.record_response(message)
            return send(message)

        return copy, tapped_send

    def mirror(
        self, copy: _Copy, scope: Scope, route: str, primary: str, unpaired: bool = False
    ) -> None:
        """Start the background comparison (the client already has its answer). Nothing to
        compare (`skipped`): a non-JSON or oversized answer, a body too large to keep, no
        mirror app for the other variant, or an `unpaired` request (a fallback, a client
        that left mid-body)."""
        other = "v1" if primary == "v2" else "v2"
        whole = replayable(copy.request)
        comparable = copy.comparable and copy.complete and whole and not unpaired
        if not comparable or self.mirrors.get(other) is None:
            self.skip(route)
            return
        noise = random.random() * 100 < self.options.noise_percent
        task = asyncio.ensure_future(self._compare(copy, dict(scope), route, primary, noise))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _run(self, variant: str, scope: Scope, primary: _Copy) -> Answer:
        """The variant's answer to the recorded request, served as a dry run."""
        app = self.mirrors[variant]
        assert app is not None
        answer = _Copy(self.options.max_bytes)

        async def collect(message: Message) -> None:
            answer.record_response(message)

        with dry_run():
            receive = replay(primary.request, then=_stays_connected)
            await asyncio.wait_for(app(scope, receive, collect), self.options.timeout_s)
        return answer.answer()

    async def _compare(
        self, primary: _Copy, scope: Scope, route: str, variant: str, noise: bool
    ) -> None:
        other = "v1" if variant == "v2" else "v2"
        first = failure = None
        try:
            first = primary.answer()
            mirrored = await self._run(other, scope, primary)
            comparison = self._comparison(first, mirrored, variant)
        except Exception as exc:  # noqa: BLE001  a failing mirror must never reach the client
            comparison, failure = Comparison(self.report.clock(), True, (), 0, 0, ()), exc
        if noise and first is not None and self.mirrors.get(variant) is not None:
            await self._probe(first, scope, route, variant, primary)
        result = self.report.add_comparison(route, comparison)
        self.metrics.shadow.labels(route, result).inc()
        if result in ("mismatch", "error"):
            with dry_run():
                logger.warning(
                    "shadow %s",
                    result,
                    extra={
                        "route": route,
                        "primary": variant,
                        "paths": [d.path for d in comparison.differences[:10]],
                        "error": type(failure).__name__ if failure else None,
                    },
                )

    async def _probe(
        self, first: Answer, scope: Scope, route: str, variant: str, primary: _Copy
    ) -> None:
        """Run the primary again; where its two answers differ is this route's noise."""
        try:
            again = await self._run(variant, scope, primary)
        except Exception:  # noqa: BLE001  a failed probe teaches nothing
            return
        found = first.differences(again, tolerance=self.options.tolerance)
        self.report.add_probe(route, (d.path for d in found))

    def _comparison(self, first: Answer, mirrored: Answer, primary: str) -> Comparison:
        """v1's answer against v2's (normalized), whichever of them was the primary."""
        v1, v2 = (first, mirrored) if primary == "v1" else (mirrored, first)
        found = Answer(v1.status, normalized(v1.body)).differences(
            Answer(v2.status, normalized(v2.body)), tolerance=self.options.tolerance
        )
        judged_v1, judged_v2 = judgements(v1.body), judgements(v2.body)
        pairs = [(judged_v1[p], judged_v2[p]) for p in judged_v1.keys() & judged_v2.keys()]
        return Comparison(
            at=self.report.clock(),
            error=False,
            differences=tuple(found),
            verdicts_agreed=sum(a[0] == b[0] for a, b in pairs),
            verdicts_compared=len(pairs),
            score_deltas=tuple(round(abs(a[1] - b[1]), 6) for a, b in pairs),
        )
