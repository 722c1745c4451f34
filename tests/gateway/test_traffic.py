"""The ring of recent traffic per variant behind the ops page (gateway/traffic.py)."""

from __future__ import annotations

import random

import pytest

from gateway.traffic import LAST_BOUND_MS, MINUTES, RecentTraffic, p95_ms


class Clock:
    def __init__(self) -> None:
        self.now = 1_741_600_000.0  # 2025-03-10T09:46:40Z

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def test_window_counts_requests_errors_and_rate_per_variant(clock: Clock) -> None:
    traffic = RecentTraffic(clock)
    for status in (200, 200, 404, 503):
        traffic.observe("v1", status, 0.010)
    traffic.observe("v2", 200, 0.020)
    traffic.observe("gateway", 200, 0.001)  # the gateway's own routes are not tracked
    clock.now += 60
    traffic.observe("v1", 500, 0.010)
    window = traffic.window(5)
    assert set(window) == {"v1", "v2"}
    v1 = window["v1"]
    assert (v1.requests, v1.errors, v1.client_errors) == (5, 2, 1)
    assert v1.rate_per_min == 1.0 and v1.error_rate == 0.4
    assert [m.requests for m in v1.minutes] == [0, 0, 0, 4, 1]
    assert v1.minutes[-1].start.isoformat() == "2025-03-10T09:47:00+00:00"
    assert window["v2"].requests == 1 and window["v2"].error_rate == 0.0


def test_window_counts_client_gone_as_no_error(clock: Clock) -> None:
    """499 (the client left mid-request) is a request, but neither a 5xx nor a 4xx that
    the ramp's gates compare between the variants."""
    traffic = RecentTraffic(clock)
    for status in (200, 499, 400):
        traffic.observe("v2", status, 0.010)
    v2 = traffic.window(1)["v2"]
    assert (v2.requests, v2.errors, v2.client_errors) == (3, 0, 1)


def test_window_forgets_minutes_outside_it_and_an_hour_later(clock: Clock) -> None:
    traffic = RecentTraffic(clock)
    traffic.observe("v1", 200, 0.01)
    clock.now += 10 * 60
    assert traffic.window(10)["v1"].requests == 0
    assert traffic.window(11)["v1"].requests == 1
    clock.now += MINUTES * 60  # the same slot of the ring, an hour on
    traffic.observe("v1", 200, 0.01)
    assert traffic.window(MINUTES)["v1"].requests == 1


def test_memory_is_fixed_whatever_the_traffic(clock: Clock) -> None:
    traffic = RecentTraffic(clock)
    for _ in range(3 * MINUTES):
        for _ in range(50):
            traffic.observe("v2", 200, random.random())
        clock.now += 60
    assert [len(ring) for ring in traffic.rings.values()] == [MINUTES, MINUTES]
    assert traffic.window(MINUTES)["v2"].requests == 50 * (MINUTES - 1)  # this minute is new


def test_p95_within_ten_percent_of_the_exact_value(clock: Clock) -> None:
    traffic = RecentTraffic(clock)
    rng = random.Random(7)
    latencies = sorted(rng.lognormvariate(-3.5, 1.0) for _ in range(5000))  # ~30 ms median
    for seconds in latencies:
        traffic.observe("v1", 200, seconds)
    exact_ms = latencies[int(0.95 * len(latencies)) - 1] * 1000
    measured = traffic.window(1)["v1"].p95_ms
    assert measured is not None and abs(measured - exact_ms) / exact_ms < 0.1


def test_p95_of_empty_and_of_latencies_beyond_the_last_bound() -> None:
    assert p95_ms([0, 0, 0]) is None
    traffic = RecentTraffic(Clock())
    traffic.observe("v1", 200, 10_000.0)
    assert traffic.window(1)["v1"].p95_ms == LAST_BOUND_MS
    assert traffic.window(1)["v2"].p95_ms is None
