"""The SLO guard's ticks (gateway/guard.py): windows fed by hand, time injected, no sleeping."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, get_args

import pytest
from prometheus_client import generate_latest
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

import gateway.guard
from core.exceptions import ConfigError
from core.runtime import open_store
from core.settings import Settings
from core.store.flags import FlagChange, list_audit, sync_env_flags
from gateway.flags import FlagCache
from gateway.guard import Guard, GuardState
from gateway.guard_window import GuardWindow
from gateway.metrics import GUARD_STATES, GatewayMetrics
from tests.conftest import SettingsFactory
from tests.gateway.conftest import ADMIN, GatewayFactory

ROUTE = "/api/v1/evaluations"


@dataclass
class Worker:
    """One gateway process's guard, window and flag cache, on the shared database."""

    guard: Guard
    window: GuardWindow
    flags: FlagCache
    metrics: GatewayMetrics

    def load(self, variant: str, requests: int, errors: int = 0, ms: float = 20.0) -> None:
        for n in range(requests):
            status = 500 if n < errors else 200
            self.window.observe(ROUTE, variant, "canary", status, ms / 1000)

    def tick(self) -> None:
        asyncio.run(self.guard.tick())


class WallClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def wall() -> WallClock:
    return WallClock()


@pytest.fixture
def guard_settings(make_settings: SettingsFactory) -> Settings:
    return make_settings(canary_percent=50)


def make_worker(
    settings: Settings, name: str, wall: WallClock, engine: Engine | None = None
) -> Worker:
    """A worker on the settings' database, or on `engine` (tables created already)."""
    engine = engine or open_store(settings)
    flags = FlagCache(engine, sync_env_flags(engine, settings))
    window = GuardWindow(settings.guard_window_s, lambda: flags.flags, lambda: 100.0)
    metrics = GatewayMetrics(window)
    guard = Guard(
        settings, engine=engine, flags=flags, metrics=metrics, window=window, worker=name, now=wall
    )
    return Worker(guard, window, flags, metrics)


def guard_audit(settings: Settings, engine: Engine | None = None) -> list[Any]:
    return [e for e in list_audit(engine or open_store(settings)) if e.source == "guard"]


def test_guard_rolls_back_a_failing_v2_once_with_its_figures(
    guard_settings: Settings, wall: WallClock, db_engine: Engine
) -> None:
    worker = make_worker(guard_settings, "a", wall, db_engine)
    worker.load("v1", 100)
    worker.load("v2", 100, errors=20)
    worker.tick()
    [entry] = guard_audit(guard_settings, db_engine)
    assert entry.actor == "guard" and entry.new == {
        "featureFlagUseV2": False,
        "canaryPercent": 0,
        "shadowPercent": 0,
    }
    assert ROUTE in entry.reason and "errorRate" in entry.reason
    assert "v2 n=100 err=0.200" in entry.reason and "v1 n=100 err=0.000" in entry.reason
    assert worker.flags.flags.canary_percent == 0 and worker.guard.state == "rolled_back"
    shown = worker.guard.public()
    assert shown.last_decision is not None and shown.last_decision.route == ROUTE
    assert shown.last_decision.figures["v2"] == {
        "requests": 100,
        "errors": 20,
        "errorRate": 0.2,
        "p95Ms": shown.last_decision.figures["v2"]["p95Ms"],  # type: ignore[index]
    }
    assert shown.last_decision.epoch == worker.flags.flags.epoch and shown.holder == "a"
    assert (
        'reqgate_guard_state{state="rolled_back"} 1.0'
        in generate_latest(worker.metrics.registry).decode()
    )
    worker.tick()
    assert len(guard_audit(guard_settings, db_engine)) == 1  # it never acts twice


def test_guard_rolls_back_a_slow_v2_on_the_slo_without_v1_baseline(
    guard_settings: Settings, wall: WallClock
) -> None:
    worker = make_worker(guard_settings, "a", wall)
    worker.load("v1", 10)  # too few for a baseline
    worker.load("v2", 60, ms=3000)
    worker.tick()
    [entry] = guard_audit(guard_settings)
    assert "p95" in entry.reason and "v1 below min requests" in entry.reason
    assert "p95<=2000ms" in entry.reason


def test_guard_leaves_a_healthy_v2_alone_and_never_promotes(
    guard_settings: Settings, wall: WallClock
) -> None:
    worker = make_worker(guard_settings, "a", wall)
    worker.load("v1", 200, errors=2, ms=40)
    worker.load("v2", 200, errors=4, ms=60)
    for _ in range(3):
        worker.tick()
        wall.now += timedelta(seconds=2)
    assert guard_audit(guard_settings) == [] and worker.guard.state == "watching"
    assert worker.flags.flags.canary_percent == 50


def test_the_lease_holder_decides_on_every_workers_window(
    guard_settings: Settings, wall: WallClock, db_engine: Engine
) -> None:
    """b sees the failures, a holds the lease: a rolls back on the sum, b shows a's decision."""
    a = make_worker(guard_settings, "a", wall, db_engine)
    b = make_worker(guard_settings, "b", wall, db_engine)
    a.load("v2", 30)  # alone below min requests
    a.tick()  # a takes the lease
    b.load("v2", 30, errors=30)
    b.tick()  # b publishes; it may not decide
    assert guard_audit(guard_settings, db_engine) == []
    wall.now += timedelta(seconds=1)
    a.tick()
    [entry] = guard_audit(guard_settings, db_engine)
    assert "v2 n=60 err=0.500" in entry.reason
    b.flags.flags = a.flags.flags  # b's cache refreshes from the database
    b.tick()
    assert b.guard.state == "rolled_back" and len(guard_audit(guard_settings, db_engine)) == 1
    decision = b.guard.public().last_decision
    assert decision is not None and decision.holder == "a"


def test_a_worker_takes_over_an_expired_lease(guard_settings: Settings, wall: WallClock) -> None:
    a, b = make_worker(guard_settings, "a", wall), make_worker(guard_settings, "b", wall)
    a.tick()
    b.load("v2", 60, errors=60)
    b.tick()
    assert guard_audit(guard_settings) == []  # a holds the lease; a has stopped
    wall.now += timedelta(seconds=3 * guard_settings.guard_interval_s)
    b.tick()
    assert len(guard_audit(guard_settings)) == 1 and b.guard.public().holder == "b"


def test_guard_ignores_figures_from_before_a_flag_change(
    guard_settings: Settings, wall: WallClock
) -> None:
    """After a rollback an operator ramps again: the old v2's failures must not count."""
    worker = make_worker(guard_settings, "a", wall)
    worker.load("v2", 100, errors=50)
    asyncio.run(
        worker.flags.change(FlagChange(canary_percent=10), actor="op", reason="", source="api")
    )
    worker.tick()
    assert guard_audit(guard_settings) == [] and worker.guard.state == "watching"


def test_guard_is_idle_while_no_traffic_goes_to_v2(
    make_settings: SettingsFactory, wall: WallClock
) -> None:
    worker = make_worker(make_settings(), "a", wall)
    worker.tick()
    assert worker.guard.state == "idle" and worker.guard.public().holder is None


def test_guard_tick_logs_a_database_error_and_carries_on(
    guard_settings: Settings,
    wall: WallClock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    worker = make_worker(guard_settings, "a", wall)
    worker.load("v2", 60, errors=60)

    def unreachable(*_args: object, **_kwargs: object) -> bool:
        raise OperationalError("SELECT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(gateway.guard, "publish", unreachable)
    with caplog.at_level(logging.WARNING, logger="reqgate.guard"):
        worker.tick()
    [record] = caplog.records
    assert "guard tick failed" in record.getMessage() and record.exc_info is None
    assert "server closed" not in record.getMessage()
    monkeypatch.undo()
    worker.tick()  # the next interval tries again
    assert len(guard_audit(guard_settings)) == 1


def test_guard_off_has_no_window_and_says_so(
    make_settings: SettingsFactory, wall: WallClock
) -> None:
    settings = make_settings(guard_enabled=False, canary_percent=50)
    engine = open_store(settings)
    flags = FlagCache(engine, sync_env_flags(engine, settings))
    metrics = GatewayMetrics()
    guard = Guard(settings, engine=engine, flags=flags, metrics=metrics, window=None, now=wall)
    asyncio.run(guard.tick())
    assert guard.public().state == "off" and not guard.enabled
    assert 'reqgate_guard_state{state="off"} 1.0' in generate_latest(metrics.registry).decode()


def test_guard_states_are_the_metrics_states() -> None:
    assert get_args(GuardState) == GUARD_STATES


def test_guard_settings_are_validated(make_settings: SettingsFactory) -> None:
    for bad in (
        {"guard_interval_s": 30, "guard_window_s": 30},
        {"guard_max_error_delta": 1.5},
        {"guard_max_latency_ratio": 0.5},
        {"guard_min_requests": 0},
        {"latency_slo_ms": 0},
    ):
        with pytest.raises(ConfigError):
            make_settings(**bad)


def test_runtime_config_ops_summary_and_metrics_show_the_guard(
    make_gateway: GatewayFactory,
) -> None:
    client = make_gateway(canary_percent=25, guard_window_s=10)
    guard = client.get("/api/runtime-config").json()["guard"]
    assert guard["enabled"] is True and guard["state"] == "watching"
    assert guard["settings"] == {
        "windowS": 10,
        "intervalS": 2.0,
        "minRequests": 50,
        "maxErrorDelta": 0.05,
        "maxLatencyRatio": 2.0,
        "latencySloMs": 2000.0,
    }
    assert guard["lastDecision"] is None and guard["holder"] is None and guard["worker"]
    shown = client.get("/api/runtime-config/ops", headers=ADMIN).json()["guard"]
    assert shown == {k: v for k, v in guard.items() if v is not None}  # the summary omits nulls
    metrics = client.get("/metrics").text
    assert 'reqgate_guard_state{state="watching"} 1.0' in metrics
    client.post("/api/runtime-config/flags/rollback", headers=ADMIN)
    assert client.get("/api/runtime-config").json()["guard"]["state"] == "idle"
    off = make_gateway(guard_enabled=False).get("/api/runtime-config").json()["guard"]
    assert off["enabled"] is False and off["state"] == "off"
