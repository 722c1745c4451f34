"""What the SLO guard measures: per shared route and variant, the last GUARD_WINDOW_S seconds
in one-second buckets of requests, errors and a latency histogram.

GatewayMetrics.observe feeds it every request the gateway answers. A shared request that v2
failed and v1 then served (reason "fallback") counts as a v2 request with an error: the
client never saw v2's failure, but the guard must (issue 15: "error rate = 5xx and
fallbacks"); its latency, v2's attempt and v1's answer, is what the client waited. The
histogram has traffic.py's bounds (LATENCY_BOUNDS_MS), so a p95 is within 10 %.

The window holds one flag configuration only. It restarts when the flags' epoch changes:
figures from before describe another split, or another v2 (after a rollback, an operator who
ramps again must not be rolled back at once on the old data). It records nothing while the
flags send no traffic to v2, when there is nothing to guard. Runs on the event loop only,
like RecentTraffic, so no lock.

`Tally.to_wire`/`from_wire` are the compact form each worker publishes for the lease holder
to add up (core.store.guard): counts only, never request data.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from core.store.flags import Flags
from gateway.routes import SHARED_PATHS
from gateway.traffic import LATENCY_BOUNDS_MS, latency_index, p95_ms

VARIANTS = ("v1", "v2")
HISTOGRAM_SIZE = len(LATENCY_BOUNDS_MS) + 1  # the last: over the last bound
Wire = list[object]  # [requests, errors, {bucket index: count}], JSON as it is
Figures = dict[str, dict[str, "Tally"]]  # route -> variant -> tally


def sends_v2(flags: Flags) -> bool:
    """Whether the flags route any shared traffic to v2: the guard has something to guard."""
    return flags.use_v2 or flags.canary_percent > 0


def _empty_histogram() -> list[int]:
    return [0] * HISTOGRAM_SIZE


@dataclass(slots=True)
class Tally:
    requests: int = 0
    errors: int = 0
    counts: list[int] = field(default_factory=_empty_histogram)

    @property
    def error_rate(self) -> float:
        return self.errors / self.requests if self.requests else 0.0

    @property
    def p95_ms(self) -> float | None:
        return p95_ms(self.counts)

    def add(self, other: Tally) -> None:
        self.requests += other.requests
        self.errors += other.errors
        self.counts = [a + b for a, b in zip(self.counts, other.counts, strict=True)]

    def to_wire(self) -> Wire:
        return [self.requests, self.errors, {str(i): n for i, n in enumerate(self.counts) if n}]

    @classmethod
    def from_wire(cls, wire: Wire) -> Tally:
        requests, errors, sparse = wire
        if not (isinstance(requests, int) and isinstance(errors, int) and isinstance(sparse, dict)):
            raise ValueError("not a guard tally")
        counts = _empty_histogram()
        for index, count in sparse.items():
            counts[int(index)] = int(count)
        return cls(requests, errors, counts)


@dataclass(slots=True)
class _Second(Tally):
    second: int = -1


def merge(parts: Iterable[Figures]) -> Figures:
    """Several workers' figures as one: the tallies of each route and variant added up."""
    merged: Figures = {}
    for figures in parts:
        for route, variants in figures.items():
            for variant, tally in variants.items():
                merged.setdefault(route, {}).setdefault(variant, Tally()).add(tally)
    return merged


def to_wire(figures: Figures) -> dict[str, dict[str, Wire]]:
    return {route: {v: t.to_wire() for v, t in vs.items()} for route, vs in figures.items()}


def from_wire(wire: dict[str, dict[str, Wire]]) -> Figures:
    return {route: {v: Tally.from_wire(t) for v, t in vs.items()} for route, vs in wire.items()}


class GuardWindow:
    """The sliding window of one process; `flags` answers the flags in force, cheaply."""

    def __init__(
        self,
        seconds: int,
        flags: Callable[[], Flags],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.seconds = seconds
        self.flags = flags
        self.clock = clock
        self.epoch: int | None = None
        self.rings: dict[tuple[str, str], list[_Second]] = {}

    def observe(self, route: str, variant: str, reason: str, status: int, seconds: float) -> None:
        """Count one answered request (not a shared route's, or the flags send none to v2: not)."""
        self.count(route, variant, reason, status, latency_index(seconds), 1)

    def count(
        self, route: str, variant: str, reason: str, status: int, latency: int, requests: int
    ) -> None:
        """Count `requests` answered alike, in one latency bucket (traffic.latency_index)."""
        if route not in SHARED_PATHS or variant not in VARIANTS:
            return
        flags = self.flags()
        if not sends_v2(flags):
            return
        if flags.epoch != self.epoch:
            self.epoch, self.rings = flags.epoch, {}
        failed = status >= 500
        if variant == "v1" and reason == "fallback":
            variant, failed = "v2", True
        ring = self.rings.get((route, variant))
        if ring is None:
            ring = self.rings[route, variant] = [_Second() for _ in range(self.seconds)]
        now = int(self.clock())
        bucket = ring[now % self.seconds]
        if bucket.second != now:  # the slot holds a second a window ago (or none)
            bucket.second, bucket.requests, bucket.errors = now, 0, 0
            bucket.counts = _empty_histogram()
        bucket.requests += requests
        bucket.errors += requests if failed else 0
        bucket.counts[latency] += requests

    def figures(self, epoch: int) -> Figures:
        """Each route's tallies over the last `seconds` (this one included), if they belong to
        the flags of `epoch`; routes without requests are left out."""
        if epoch != self.epoch:
            return {}
        now = int(self.clock())
        figures: Figures = {}
        for (route, variant), ring in self.rings.items():
            tally = Tally()
            for bucket in ring:
                if now - self.seconds < bucket.second <= now:
                    tally.add(bucket)
            if tally.requests:
                figures.setdefault(route, {})[variant] = tally
        return figures
