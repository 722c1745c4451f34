"""GatewayMetrics counts answered requests in batches: within FLUSH_S on a running loop,
at once every FLUSH_EVERY requests, and before anything reads the figures."""

from __future__ import annotations

import asyncio

import pytest
from prometheus_client import CollectorRegistry, Histogram

from core.store.flags import Flags
from gateway.guard_window import GuardWindow
from gateway.metrics import DURATION_BUCKETS, FLUSH_EVERY, FLUSH_S, GatewayMetrics

ROUTE = "/api/v1/evaluations"


def _observe(metrics: GatewayMetrics, count: int, status: int = 200) -> None:
    for _ in range(count):
        metrics.observe(
            method="POST", route=ROUTE, status=status, variant="v2", reason="flag", seconds=0.02
        )


def _counted(metrics: GatewayMetrics) -> float:
    """The request counter as prometheus_client holds it, read without a flush."""
    value = metrics.registry.get_sample_value(
        "http_requests_total",
        {"method": "POST", "route": ROUTE, "status": "200", "variant": "v2"},
    )
    return value or 0.0


def test_count_noted_requests_within_flush_s_on_a_running_loop() -> None:
    metrics = GatewayMetrics()

    async def serve() -> tuple[float, float]:
        _observe(metrics, 3)
        before = _counted(metrics)
        await asyncio.sleep(FLUSH_S + 0.1)
        return before, _counted(metrics)

    assert asyncio.run(serve()) == (0.0, 3.0)


def test_count_at_once_every_flush_every_requests() -> None:
    metrics = GatewayMetrics()

    async def serve() -> float:
        _observe(metrics, FLUSH_EVERY)
        return _counted(metrics)

    assert asyncio.run(serve()) == FLUSH_EVERY


def test_readers_see_every_request_noted_before_them() -> None:
    flags = Flags(use_v2=True)
    window = GuardWindow(60, lambda: flags)
    metrics = GatewayMetrics(window)

    async def serve() -> tuple[str, int, int]:
        _observe(metrics, 2)
        _observe(metrics, 1, status=499)
        text = metrics.render(flags).decode()
        _observe(metrics, 4)
        recent = metrics.recent_window(1)["v2"].requests
        _observe(metrics, 5)
        metrics.flush()  # the guard's tick flushes before it reads its window
        return text, recent, window.figures(flags.epoch)[ROUTE]["v2"].requests

    text, recent, guarded = asyncio.run(serve())
    series = f'method="POST",route="{ROUTE}"'
    assert f'http_requests_total{{{series},status="200",variant="v2"}} 2.0' in text
    assert 'reqgate_client_disconnects_total{variant="v2"} 1.0' in text
    assert f'http_request_duration_seconds_count{{{series},variant="v2"}} 3.0' in text
    assert (recent, guarded) == (7, 12)


def test_count_at_once_without_a_running_loop() -> None:
    """A caller outside a server (a tool, a test) may read the figures next."""
    metrics = GatewayMetrics()
    _observe(metrics, 2)
    assert _counted(metrics) == 2.0


def test_count_requests_alike_once_as_observe_would_one_by_one() -> None:
    """The batch adds to prometheus_client's histogram as many observe() calls would: the
    same buckets, count and sum (the batch uses its bucket values directly)."""
    durations = [0.001, 0.005, 0.0051, 0.02, 0.02, 0.3, 7.0, 31.0, 0.0049] * 3
    metrics = GatewayMetrics()
    for seconds in durations:
        metrics.observe(
            method="POST", route=ROUTE, status=200, variant="v2", reason="flag", seconds=seconds
        )
    metrics.flush()
    reference = CollectorRegistry()
    histogram = Histogram(
        "http_request_duration_seconds",
        "reference",
        ["method", "route", "variant"],
        buckets=DURATION_BUCKETS,
        registry=reference,
    ).labels("POST", ROUTE, "v2")
    for seconds in durations:
        histogram.observe(seconds)

    def samples(registry: CollectorRegistry) -> dict[str, float]:
        return {
            f"{sample.name}{sorted(sample.labels.items())}": sample.value
            for metric in registry.collect()
            if metric.name == "http_request_duration_seconds"
            for sample in metric.samples
            if not sample.name.endswith("_created")
        }

    expected = samples(reference)
    assert len(expected) == len(DURATION_BUCKETS) + 3  # the buckets, +Inf, count and sum
    assert samples(metrics.registry) == pytest.approx(expected)
