"""Prometheus metrics of one gateway app, in a registry of its own.

A registry per app (not the global one) lets tests and benchmarks build many apps in one
process. /metrics serves it followed by prometheus_client's default registry, where core
records what is per process (the LLM metrics of core/metrics.py, process and GC figures).
Labels are bounded: `route` is a route template or a fixed word, never a raw path, so
scanning random URLs cannot grow the series without limit.

With several workers (`reqgate serve --workers N`) every worker's values live in files in
the directory PROMETHEUS_MULTIPROC_DIR names (prometheus_client's multiprocess mode), and
/metrics, whichever worker answers it, adds up all workers' files: counters and histograms
are summed, each gauge combined as its `multiprocess_mode` says. The process and GC figures
of the default registry are left out then: they would be the answering worker's alone.

Each answered request is noted and counted in batches (core/deferred.py): at most
FLUSH_EVERY requests or FLUSH_S seconds later, and before anything reads the figures
(/metrics, the ops summary, the SLO guard's tick). A worker's figures reach the other
workers' /metrics FLUSH_S late at most.
"""

from __future__ import annotations

import os
from bisect import bisect_left
from pathlib import Path

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead

from core.deferred import Deferred
from core.exceptions import ClientClosedRequest
from core.store.flags import Flags
from gateway.guard_window import GuardWindow
from gateway.traffic import RecentTraffic, VariantTraffic, latency_index

CONTENT_TYPE = CONTENT_TYPE_LATEST
CLIENT_CLOSED = ClientClosedRequest.status  # 499, as nginx logs a client gone mid-request
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
DURATION_BOUNDS = (*DURATION_BUCKETS, float("inf"))  # the histogram's, +Inf last
# The SLO guard's states (gateway/guard.py): off (GUARD_ENABLED=false), idle (the flags send
# no traffic to v2), watching, rolled_back (its rollback is in force: nobody changed the
# flags since).
GUARD_STATES = ("off", "idle", "watching", "rolled_back")
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
FLUSH_S = 0.25  # the longest an answered request waits to be counted
FLUSH_EVERY = 256  # requests noted before they are counted at once, under load
# method, route, status, variant, reason, seconds: what `observe` notes of a request
Observation = tuple[str, str, int, str, str, float]


def multiprocess_dir() -> Path | None:
    """The directory of the workers' metric files, when `reqgate serve` runs several
    (gateway/serving.py names it in the environment, where prometheus_client reads it when
    a worker imports it); None in a single process."""
    path = os.environ.get(MULTIPROC_ENV)
    return Path(path) if path else None


def forget_dead_workers(directory: Path) -> None:
    """Drop the live gauges of workers that are gone (killed, crashed or stopped): uvicorn
    has no hook for a worker's exit, so each scrape looks. Their counts stay: a counter
    never goes down because a worker died."""
    pids = {int(file.stem.rsplit("_", 1)[1]) for file in directory.glob("gauge_live*_*.db")}
    for pid in pids:
        try:
            os.kill(pid, 0)  # signal 0: only whether the process exists
        except ProcessLookupError:
            mark_process_dead(pid, str(directory))  # type: ignore[no-untyped-call]
        except PermissionError:  # another user's process took the pid: not ours, alive
            continue


class GatewayMetrics:
    """The gateway's counters, histogram and flag gauges."""

    def __init__(
        self, guard_window: GuardWindow | None = None, *, shared_dir: Path | None = None
    ) -> None:
        self.registry = CollectorRegistry()
        self.shared_dir = shared_dir  # multiprocess_dir() of the server, when it has workers
        self._fleet = CollectorRegistry()  # every worker's files, read at each scrape
        if shared_dir is not None:
            MultiProcessCollector(self._fleet, path=str(shared_dir))  # type: ignore[no-untyped-call]
        self.recent = RecentTraffic()  # the ops page's last minutes (gateway/traffic.py)
        self.guard_window = guard_window  # the SLO guard's seconds (gateway/guard_window.py)
        self._children: dict[tuple[str, str, int, str], tuple[Counter, Histogram]] = {}
        self._noted = Deferred(self._count, max_items=FLUSH_EVERY, max_wait_s=FLUSH_S)
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
        self.canary_percent = self._latest("reqgate_canary_percent", "CANARY_PERCENT in force")
        self.use_v2 = self._latest("reqgate_flag_use_v2", "FEATURE_FLAG_USE_V2 in force (1 or 0)")
        self.shadow_percent = self._latest("reqgate_shadow_percent", "SHADOW_PERCENT in force")
        self.epoch = self._latest(
            "reqgate_flags_epoch", "Epoch of the flags in force in the process that answered"
        )
        # a gauge per state, not an Enum: prometheus_client cannot share an Enum's values
        # between workers
        self.guard_state = self._latest(
            "reqgate_guard_state",
            "State of the SLO guard: 1 for the state it is in, 0 for the others",
            ("state",),
        )

    def _latest(self, name: str, documentation: str, labels: tuple[str, ...] = ()) -> Gauge:
        """A gauge a worker sets when it answers a scrape or judges its state again: with
        several workers, the latest value any live one set is the one in force."""
        return Gauge(
            name, documentation, labels, registry=self.registry, multiprocess_mode="livemostrecent"
        )

    def show_guard_state(self, state: str) -> None:
        for each in GUARD_STATES:
            self.guard_state.labels(each).set(1 if each == state else 0)

    def observe(
        self, *, method: str, route: str, status: int, variant: str, reason: str, seconds: float
    ) -> None:
        """Note one answered request, to be counted by the next flush."""
        self._noted.add((method, route, status, variant, reason, seconds))

    def flush(self) -> None:
        """Count every request noted so far."""
        self._noted.flush()

    def _count(self, batch: list[Observation]) -> None:
        """The requests in the series, the ops ring and the guard's window: those answered
        alike (series, reason, latency buckets) counted once, as many times over."""
        alike: dict[tuple[str, str, int, str, str, int, int], list[float]] = {}
        for observation in batch:
            seconds = observation[5]
            key = (*observation[:5], bisect_left(DURATION_BOUNDS, seconds), latency_index(seconds))
            group = alike.get(key)
            if group is None:
                alike[key] = [1, seconds]
            else:
                group[0] += 1
                group[1] += seconds
        window, recent = self.guard_window, self.recent
        for (method, route, status, variant, reason, duration, latency), group in alike.items():
            requests, seconds = int(group[0]), group[1]
            counter, histogram = self._series((method, route, status, variant))
            counter.inc(requests)
            # Histogram.observe, `requests` times at once: a count in the first bucket the
            # duration fits in (prometheus_client keeps them uncumulated), and the sum. Its
            # private values, so tests/gateway/test_metrics_flush.py holds the result to
            # what observe() gives.
            histogram._buckets[duration].inc(requests)
            histogram._sum.inc(seconds)
            if status == CLIENT_CLOSED:
                self.client_disconnects.labels(variant).inc(requests)
            recent.count(variant, status, latency, requests)
            if window is not None:
                window.count(route, variant, reason, status, latency, requests)

    def recent_window(self, minutes: int) -> dict[str, VariantTraffic]:
        """The ops page's figures per variant over the last `minutes`, this one included."""
        self.flush()
        return self.recent.window(minutes)

    def _series(self, key: tuple[str, str, int, str]) -> tuple[Counter, Histogram]:
        """The request counter and duration histogram of (method, route, status, variant)."""
        children = self._children.get(key)
        if children is None:  # labels() costs a lock and a lookup: resolve each series once
            method, route, status, variant = key
            children = self._children[key] = (
                self.requests.labels(method, route, str(status), variant),
                self.duration.labels(method, route, variant),
            )
        return children

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
        """The text exposition of both registries (their metric names do not overlap, so the
        two texts join into one valid one), or of every worker's files, with the flag gauges
        set from the flags in force now."""
        self.flush()
        self.canary_percent.set(flags.canary_percent)
        self.use_v2.set(1 if flags.use_v2 else 0)
        self.shadow_percent.set(flags.shadow_percent)
        self.epoch.set(flags.epoch)
        if self.shared_dir is None:
            return generate_latest(self.registry) + generate_latest(REGISTRY)
        forget_dead_workers(self.shared_dir)
        return generate_latest(self._fleet)
