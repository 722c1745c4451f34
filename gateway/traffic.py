"""Recent traffic per variant for the ops page: request rate, error rate and p95 latency.

The gateway's own measurements (every request the access-log middleware times), kept in a
ring of MINUTES one-minute buckets per variant. A bucket counts requests, server errors
(5xx) and client errors (4xx but 499, a client that left mid-request), and holds a latency
histogram with fixed bounds 10 % apart (LATENCY_BOUNDS_MS), so memory is fixed whatever the
traffic: 2 variants x 60 minutes x 160 counters. p95 is interpolated within its histogram
bucket, as Prometheus' histogram_quantile does: within 10 % of the exact value. Per process,
like /metrics; `observe` and `window` run on the event loop only, so no lock is needed.
"""

from __future__ import annotations

import math
import time
from bisect import bisect_left
from collections.abc import Callable
from datetime import UTC, datetime
from itertools import accumulate

from pydantic import Field

from core.contract.wire import WireModel
from core.exceptions import ClientClosedRequest

TRACKED = ("v1", "v2")
CLIENT_CLOSED = ClientClosedRequest.status  # the client left: a request, but no error
MINUTES = 60
FIRST_BOUND_MS, GROWTH, LAST_BOUND_MS = 0.1, 1.1, 300_000.0
LATENCY_BOUNDS_MS = tuple(
    FIRST_BOUND_MS * GROWTH**k
    for k in range(math.ceil(math.log(LAST_BOUND_MS / FIRST_BOUND_MS, GROWTH)) + 1)
)


class MinuteTraffic(WireModel):
    start: datetime
    requests: int
    errors: int = Field(description="responses with a 5xx status")
    client_errors: int = Field(alias="clientErrors", description="responses with a 4xx status")
    p95_ms: float | None = Field(default=None, alias="p95Ms")


class VariantTraffic(WireModel):
    """One variant over the window; `minutes` oldest first, idle minutes included."""

    requests: int
    errors: int
    client_errors: int = Field(alias="clientErrors")
    rate_per_min: float = Field(alias="ratePerMin")
    error_rate: float = Field(alias="errorRate", description="5xx share of the requests")
    p95_ms: float | None = Field(default=None, alias="p95Ms")
    minutes: list[MinuteTraffic]


class _Bucket:
    __slots__ = ("client_errors", "counts", "errors", "minute", "requests")

    def __init__(self, minute: int = -1) -> None:
        self.reset(minute)

    def reset(self, minute: int) -> None:
        self.minute = minute
        self.requests = self.errors = self.client_errors = 0
        self.counts = [0] * (len(LATENCY_BOUNDS_MS) + 1)  # the last: over LAST_BOUND_MS


def latency_index(seconds: float) -> int:
    """The histogram bucket of a latency: the first of LATENCY_BOUNDS_MS it does not exceed
    (len(LATENCY_BOUNDS_MS) beyond the last)."""
    return bisect_left(LATENCY_BOUNDS_MS, seconds * 1000)


def p95_ms(counts: list[int]) -> float | None:
    """The 95th percentile of a histogram over LATENCY_BOUNDS_MS, None when it is empty."""
    cumulative = list(accumulate(counts))
    if not cumulative[-1]:
        return None
    rank = 0.95 * cumulative[-1]
    index = bisect_left(cumulative, rank)  # the first bucket that reaches the rank
    if index == len(LATENCY_BOUNDS_MS):
        return LAST_BOUND_MS
    lower, before = (LATENCY_BOUNDS_MS[index - 1], cumulative[index - 1]) if index else (0.0, 0)
    upper = LATENCY_BOUNDS_MS[index]
    return round(lower + (upper - lower) * (rank - before) / counts[index], 2)


class RecentTraffic:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.rings = {variant: [_Bucket() for _ in range(MINUTES)] for variant in TRACKED}

    def observe(self, variant: str, status: int, seconds: float) -> None:
        """Count one answered request (other variants, the gateway's own, are not kept)."""
        self.count(variant, status, latency_index(seconds), 1)

    def count(self, variant: str, status: int, latency: int, requests: int) -> None:
        """Count `requests` answered alike: one variant, one status, one latency bucket."""
        ring = self.rings.get(variant)
        if ring is None:
            return
        minute = int(self.clock() // 60)
        bucket = ring[minute % MINUTES]
        if bucket.minute != minute:  # the bucket holds a minute an hour old (or none)
            bucket.reset(minute)
        bucket.requests += requests
        if status >= 500:
            bucket.errors += requests
        elif status >= 400 and status != CLIENT_CLOSED:
            bucket.client_errors += requests
        bucket.counts[latency] += requests

    def window(self, minutes: int) -> dict[str, VariantTraffic]:
        """Each tracked variant over the last `minutes` (1..MINUTES), this one included."""
        now = int(self.clock() // 60)
        return {
            variant: self._variant(ring, range(now - minutes + 1, now + 1))
            for variant, ring in self.rings.items()
        }

    @staticmethod
    def _bucket(ring: list[_Bucket], minute: int) -> _Bucket:
        """The minute's bucket; an empty one if the ring's slot holds an older minute."""
        bucket = ring[minute % MINUTES]
        return bucket if bucket.minute == minute else _Bucket(minute)

    def _variant(self, ring: list[_Bucket], window: range) -> VariantTraffic:
        buckets = [self._bucket(ring, minute) for minute in window]
        requests = sum(b.requests for b in buckets)
        errors = sum(b.errors for b in buckets)
        merged = [sum(counts) for counts in zip(*(b.counts for b in buckets), strict=True)]
        return VariantTraffic(
            requests=requests,
            errors=errors,
            client_errors=sum(b.client_errors for b in buckets),
            rate_per_min=round(requests / len(window), 2),
            error_rate=round(errors / requests, 4) if requests else 0.0,
            p95_ms=p95_ms(merged),
            minutes=[
                MinuteTraffic(
                    start=datetime.fromtimestamp(b.minute * 60, UTC),
                    requests=b.requests,
                    errors=b.errors,
                    client_errors=b.client_errors,
                    p95_ms=p95_ms(b.counts),
                )
                for b in buckets
            ],
        )
