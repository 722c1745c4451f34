"""Prometheus metrics of one gateway app, in a registry of its own.

A registry per app (not the global one) lets tests and benchmarks build many apps in one
process. /metrics serves it followed by prometheus_client's default registry, where core
records what is per process (the LLM metrics of core/metrics.py, process and GC figures).
Labels are bounded: `route` is a route template or a fixed word, never a raw path, so
scanning random URLs cannot grow the series without limit.
"""

from __future__ import annotations

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Enum,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from core.exceptions import ClientClosedRequest
from core.store.flags import Flags
from gateway.guard_window import GuardWindow
from gateway.traffic import RecentTraffic

CONTENT_TYPE = CONTENT_TYPE_LATEST
CLIENT_CLOSED = ClientClosedRequest.status  # 499, as nginx logs a client gone mid-request
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# The SLO guard's states (gateway/guard.py): off (GUARD_ENABLED=false), idle (the flags send
# no traffic to v2), watching, rolled_back (its rollback is in force: nobody changed the
# flags since).
GUARD_STATES = ("off", "idle", "watching", "rolled_back")


class GatewayMetrics:
    """The gateway's counters, histogram and flag gauges."""

    def __init__(self, guard_window: GuardWindow | None = None) -> None:
        self.registry = CollectorRegistry()
        self.recent = RecentTraffic()  # the ops page's last minutes (gateway/traffic.py)
        self.guard_window = guard_window  # the SLO guard's seconds (gateway/guard_window.py)
        self._children: dict[tuple[str, str, int, str], tuple[Counter, Histogram]] = {}
        self.requests = Counter(
            "http_requests_total",
            "HTTP requests answered by the gateway",
            ["method", "route", "status", "variant"],
            registry=self.registry,
        )
        self.duration = Histogram(
            "http_request_duration_seconds",
            "Time to the last byte of the response",
            ["method", "route", "variant"],
            buckets=DURATION_BUCKETS,
            registry=self.registry,
        )
        self.fallbacks = Counter(
            "reqgate_fallbacks",
            "Shared-route requests v1 served after v2 failed",
            ["route", "cause"],
            registry=self.registry,
        )
        self.client_disconnects = Counter(
            "reqgate_client_disconnects",
            "Requests whose client left before its body was read (logged with status"
            " 499): neither a server error nor a v2 failure, so never a fallback",
            ["variant"],
            registry=self.registry,
        )
        self.shadow = Counter(
            "reqgate_shadow_comparisons",
            "Shared-route requests picked for mirroring, by result: match, mismatch, noise"
            " (differs only where two runs of the primary differ), error (the mirror failed),"
            " dropped (the mirror budget was full), skipped (nothing to compare)",
            ["route", "result"],
            registry=self.registry,
        )
        self.canary_percent = Gauge(
            "reqgate_canary_percent", "CANARY_PERCENT in force", registry=self.registry
        )
        self.use_v2 = Gauge(
            "reqgate_flag_use_v2", "FEATURE_FLAG_USE_V2 in force (1 or 0)", registry=self.registry
        )
        self.shadow_percent = Gauge(
            "reqgate_shadow_percent", "SHADOW_PERCENT in force", registry=self.registry
        )
        self.epoch = Gauge(
            "reqgate_flags_epoch", "Epoch of the flags this process uses", registry=self.registry
        )
        self.guard_state = Enum(
            "reqgate_guard_state",
            "State of the SLO guard in this process",
            states=list(GUARD_STATES),
            registry=self.registry,
        )

    def observe(
        self, *, method: str, route: str, status: int, variant: str, reason: str, seconds: float
    ) -> None:
        key = (method, route, status, variant)
        children = self._children.get(key)
        if children is None:  # labels() costs a lock and a lookup: resolve each series once
            children = self._children[key] = (
                self.requests.labels(method, route, str(status), variant),
                self.duration.labels(method, route, variant),
            )
        children[0].inc()
        children[1].observe(seconds)
        if status == CLIENT_CLOSED:
            self.client_disconnects.labels(variant).inc()
        self.recent.observe(variant, status, seconds)
        if self.guard_window is not None:
            self.guard_window.observe(route, variant, reason, status, seconds)

    @staticmethod
    def totals(counter: Counter, label: str) -> dict[str, int]:
        """A counter's counts since start-up, summed per value of one of its labels."""
        totals: dict[str, int] = {}
        for metric in counter.collect():
            for sample in metric.samples:
                if sample.name.endswith("_total"):
                    key = sample.labels[label]
                    totals[key] = totals.get(key, 0) + int(sample.value)
        return totals

    def render(self, flags: Flags) -> bytes:
        """The text exposition of both registries, with the gauges set from the flags in force
        now; their metric names do not overlap, so the two texts join into one valid one."""
        self.canary_percent.set(flags.canary_percent)
        self.use_v2.set(1 if flags.use_v2 else 0)
        self.shadow_percent.set(flags.shadow_percent)
        self.epoch.set(flags.epoch)
        return generate_latest(self.registry) + generate_latest(REGISTRY)
