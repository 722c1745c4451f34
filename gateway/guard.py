"""The SLO guard: rolls v2 back on its own when it does worse than v1 (issue 15).

Every GUARD_INTERVAL_S, while the flags send traffic to v2, each worker publishes its window
(gateway/guard_window.py) and the worker that holds the lease (core.store.guard) adds up all
workers' windows and compares, per shared route, v2 with v1 over that same window. v2
breaches when it has at least GUARD_MIN_REQUESTS there and

- its error rate (5xx and fallbacks) is above v1's + GUARD_MAX_ERROR_DELTA, or
- its p95 is above max(v1's p95 x GUARD_MAX_LATENCY_RATIO, LATENCY_SLO_MS);

with fewer than GUARD_MIN_REQUESTS on v1 the baseline is an error rate of 0 and the SLO
alone. A breach rolls back (flag off, canary and shadow 0) through the admin rollback's own
path, FlagCache.change, audited with source `guard` and the figures; the holder's cache
switches at once and every other worker's within its refresh (every 0.5 s). It
never promotes. A database error is logged and the tick tried again at the next interval.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
import socket
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Literal

from pydantic import Field
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from core.contract.wire import WireModel
from core.settings import Settings
from core.store.flags import ROLLBACK, Flags
from core.store.guard import (
    Decision,
    LeaseState,
    collect,
    publish,
    read_lease,
    record_decision,
    withdraw,
)
from core.store.models import utcnow
from gateway.flags import FlagCache
from gateway.guard_window import Figures, GuardWindow, Tally, from_wire, merge, sends_v2, to_wire
from gateway.metrics import GatewayMetrics

GuardState = Literal["off", "idle", "watching", "rolled_back"]  # GUARD_STATES of the metric
LEASE_INTERVALS = 3  # a lease outlives two missed renewals
logger = logging.getLogger("reqgate.guard")


@dataclass(frozen=True)
class Limits:
    min_requests: int
    max_error_delta: float
    max_latency_ratio: float
    latency_slo_ms: float

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(
            settings.guard_min_requests,
            settings.guard_max_error_delta,
            settings.guard_max_latency_ratio,
            settings.latency_slo_ms,
        )


@dataclass(frozen=True)
class Breach:
    """v2's figures on one route that crossed a limit, with the limits and v1's figures."""

    route: str
    v2: Tally
    v1: Tally | None  # None: fewer than min_requests, so no baseline
    max_error_rate: float
    max_p95_ms: float
    causes: tuple[str, ...]  # errorRate, p95

    def figures(self, *, window_s: int, epoch: int) -> dict[str, object]:
        """The decision's figures: counts, rates and latencies only, never request data."""

        def side(tally: Tally | None) -> dict[str, object] | None:
            if tally is None:
                return None
            p95 = tally.p95_ms
            return {
                "requests": tally.requests,
                "errors": tally.errors,
                "errorRate": round(tally.error_rate, 4),
                "p95Ms": None if p95 is None else round(p95, 1),
            }

        return {
            "route": self.route,
            "causes": list(self.causes),
            "v2": side(self.v2),
            "v1": side(self.v1),
            "maxErrorRate": round(self.max_error_rate, 4),
            "maxP95Ms": round(self.max_p95_ms, 1),
            "windowS": window_s,
            "epoch": epoch,
        }

    def reason(self, *, window_s: int) -> str:
        """The audit's reason: what crossed which limit, in one line."""

        def side(name: str, tally: Tally | None) -> str:
            if tally is None:
                return f"{name} below min requests"
            p95 = tally.p95_ms
            shown = "-" if p95 is None else f"{p95:.0f}ms"
            return f"{name} n={tally.requests} err={tally.error_rate:.3f} p95={shown}"

        return (
            f"guard: {self.route} {'+'.join(self.causes)} over {window_s}s: "
            f"{side('v2', self.v2)}; {side('v1', self.v1)}; "
            f"limits err<={self.max_error_rate:.3f} p95<={self.max_p95_ms:.0f}ms"
        )


def assess(route: str, tallies: dict[str, Tally], limits: Limits) -> Breach | None:
    """The breach of v2 on this route, or None (too few v2 requests, or within the limits)."""
    v2 = tallies.get("v2")
    if v2 is None or v2.requests < limits.min_requests:
        return None
    v1 = tallies.get("v1")
    baseline = v1 if v1 is not None and v1.requests >= limits.min_requests else None
    max_error_rate = (baseline.error_rate if baseline else 0.0) + limits.max_error_delta
    v1_p95 = baseline.p95_ms if baseline else None
    max_p95 = limits.latency_slo_ms
    if v1_p95 is not None:
        max_p95 = max(v1_p95 * limits.max_latency_ratio, max_p95)
    v2_p95 = v2.p95_ms
    causes = tuple(
        cause
        for cause, crossed in (
            ("errorRate", v2.error_rate > max_error_rate),
            ("p95", v2_p95 is not None and v2_p95 > max_p95),
        )
        if crossed
    )
    return Breach(route, v2, baseline, max_error_rate, max_p95, causes) if causes else None


def worst_breach(figures: Figures, limits: Limits) -> Breach | None:
    """Of the routes in breach, the one with the most v2 requests (its figures say most)."""
    breaches = [b for route, t in figures.items() if (b := assess(route, t, limits))]
    return max(breaches, key=lambda b: (b.v2.requests, b.route), default=None)


def worker_id() -> str:
    """This process among all workers and replicas: host, pid and a random tail (a pid
    may come again after a restart)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"


class GuardDecisionPublic(WireModel):
    at: datetime
    action: str
    route: str
    holder: str
    epoch: int
    figures: dict[str, object]


class GuardPublic(WireModel):
    """The guard as /api/runtime-config and the ops page show it."""

    enabled: bool
    state: GuardState
    settings: dict[str, object]
    worker: str = Field(description="this process")
    holder: str | None = Field(default=None, description="the worker that decides now, if any")
    last_decision: GuardDecisionPublic | None = Field(default=None, alias="lastDecision")


class Guard:
    """The guard of one process: its window, its share of the lease, its state."""

    def __init__(
        self,
        settings: Settings,
        *,
        engine: Engine,
        flags: FlagCache,
        metrics: GatewayMetrics,
        window: GuardWindow | None,
        worker: str | None = None,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.engine, self.flags, self.metrics, self.window = engine, flags, metrics, window
        self.limits = Limits.of(settings)
        self.window_s, self.interval_s = settings.guard_window_s, settings.guard_interval_s
        self.lease_s = LEASE_INTERVALS * self.interval_s
        self.worker = worker or worker_id()
        self.now = now
        self.lease = LeaseState()
        self.state: GuardState = "off"
        self._show(flags.flags)

    @property
    def enabled(self) -> bool:
        return self.window is not None

    async def run(self) -> None:
        """Tick every interval until cancelled (the gateway's lifespan), then withdraw."""
        try:
            while True:
                await asyncio.sleep(self.interval_s)
                try:
                    await self.tick()
                except Exception:  # deliberate: a bug in one tick must not end the guard
                    logger.exception("guard tick failed")
        finally:
            await self._withdraw()

    async def tick(self) -> None:
        """Publish, decide if this worker holds the lease, refresh what every worker shows."""
        if self.window is None:
            return
        flags = self.flags.current()
        try:
            if sends_v2(flags):
                breach = await self._fleet_breach(self.window, flags)
                if breach is not None:
                    await self._roll_back(breach, flags)
            self.lease = await asyncio.to_thread(read_lease, self.engine)
        except SQLAlchemyError as exc:
            logger.warning(
                "guard tick failed; retrying in %s s",
                self.interval_s,
                extra={"error": type(exc).__name__},
            )
        self._show(self.flags.current())

    async def _fleet_breach(self, window: GuardWindow, flags: Flags) -> Breach | None:
        now = self.now()
        self.metrics.flush()  # the requests answered since the last flush count too
        mine = json.dumps(to_wire(window.figures(flags.epoch)))
        holder = await asyncio.to_thread(
            publish,
            self.engine,
            worker=self.worker,
            epoch=flags.epoch,
            figures=mine,
            now=now,
            lease_s=self.lease_s,
        )
        if not holder:
            return None
        since = now - timedelta(seconds=self.lease_s)
        published = await asyncio.to_thread(collect, self.engine, epoch=flags.epoch, since=since)
        return worst_breach(merge(from_wire(json.loads(p)) for p in published), self.limits)

    async def _roll_back(self, breach: Breach, flags: Flags) -> None:
        if self.flags.flags.epoch != flags.epoch:  # changed while the figures were added up
            return
        reason = breach.reason(window_s=self.window_s)
        rolled, changed = await self.flags.change(
            ROLLBACK, actor="guard", reason=reason, source="guard"
        )
        if not changed:  # rolled back already, by an operator or another worker
            return
        logger.warning("guard rolled back v2", extra={"route": breach.route, "epoch": rolled.epoch})
        decision = Decision(
            at=self.now(),
            action="rollback",
            route=breach.route,
            figures=breach.figures(window_s=self.window_s, epoch=flags.epoch),
            holder=self.worker,
            epoch=rolled.epoch,
        )
        self.lease = LeaseState(self.lease.holder, self.lease.expires_at, decision)
        await asyncio.to_thread(record_decision, self.engine, decision)

    async def _withdraw(self) -> None:
        if self.window is None:
            return
        try:
            await asyncio.to_thread(withdraw, self.engine, worker=self.worker, now=self.now())
        except SQLAlchemyError as exc:
            logger.warning("guard could not withdraw", extra={"error": type(exc).__name__})

    def _show(self, flags: Flags) -> None:
        decision = self.lease.decision
        if self.window is None:
            self.state = "off"
        elif decision is not None and decision.epoch == flags.epoch:
            self.state = "rolled_back"  # and nobody changed the flags since
        else:
            self.state = "watching" if sends_v2(flags) else "idle"
        self.metrics.show_guard_state(self.state)

    def public(self) -> GuardPublic:
        """The settings in force, the state and the last decision, as this worker knows them."""
        self._show(self.flags.current())
        lease = self.lease
        holder = lease.holder if lease.expires_at and lease.expires_at > self.now() else None
        decision = lease.decision
        return GuardPublic(
            enabled=self.enabled,
            state=self.state,
            settings={
                "windowS": self.window_s,
                "intervalS": self.interval_s,
                "minRequests": self.limits.min_requests,
                "maxErrorDelta": self.limits.max_error_delta,
                "maxLatencyRatio": self.limits.max_latency_ratio,
                "latencySloMs": self.limits.latency_slo_ms,
            },
            worker=self.worker,
            holder=holder,
            last_decision=GuardDecisionPublic(**asdict(decision)) if decision else None,
        )
