"""The SLO guard's window and its rule (gateway/guard_window.py, gateway/guard.py), on an
injected clock: nothing here sleeps."""

from __future__ import annotations

import json

import pytest

from core.store.flags import Flags
from gateway.guard import Limits, assess, worst_breach
from gateway.guard_window import GuardWindow, Tally, from_wire, merge, to_wire

ROUTE = "/api/v1/evaluations"
OTHER = "/api/v1/criteria"
LIMITS = Limits(min_requests=50, max_error_delta=0.05, max_latency_ratio=2.0, latency_slo_ms=2000)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FlagsNow:
    def __init__(self) -> None:
        self.flags = Flags(canary_percent=50, epoch=3)

    def __call__(self) -> Flags:
        return self.flags


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def flags() -> FlagsNow:
    return FlagsNow()


@pytest.fixture
def window(clock: Clock, flags: FlagsNow) -> GuardWindow:
    return GuardWindow(30, flags, clock)


def tally(requests: int, errors: int = 0, ms: float = 50.0) -> Tally:
    """`requests` answered in `ms` each, `errors` of them 5xx."""
    window = GuardWindow(30, lambda: Flags(use_v2=True), lambda: 0.0)
    for n in range(requests):
        window.observe(ROUTE, "v2", "flag", 500 if n < errors else 200, ms / 1000)
    return window.figures(0).get(ROUTE, {}).get("v2", Tally())


def test_window_counts_per_route_and_variant_fallbacks_as_v2_errors(window: GuardWindow) -> None:
    window.observe(ROUTE, "v1", "canary-holdout", 200, 0.010)
    window.observe(ROUTE, "v1", "canary-holdout", 503, 0.010)
    window.observe(ROUTE, "v2", "canary", 200, 0.020)
    window.observe(ROUTE, "v1", "fallback", 200, 0.300)  # v2 failed, v1 answered
    window.observe(OTHER, "v2", "canary", 500, 0.005)
    window.observe("/api/v1/rag/search", "v2", "v2-only", 500, 0.005)  # not a shared route
    window.observe(ROUTE, "gateway", "gateway", 503, 0.001)  # the flags could not be read
    figures = window.figures(3)
    assert set(figures) == {ROUTE, OTHER}
    v1, v2 = figures[ROUTE]["v1"], figures[ROUTE]["v2"]
    assert (v1.requests, v1.errors, v2.requests, v2.errors) == (2, 1, 2, 1)
    assert v2.p95_ms is not None and 270 <= v2.p95_ms <= 330  # the fallback's whole wait
    assert (figures[OTHER]["v2"].requests, figures[OTHER]["v2"].errors) == (1, 1)
    assert "v1" not in figures[OTHER]


def test_window_forgets_seconds_older_than_the_window(window: GuardWindow, clock: Clock) -> None:
    window.observe(ROUTE, "v2", "canary", 200, 0.01)
    clock.now += 10
    window.observe(ROUTE, "v2", "canary", 200, 0.01)
    assert window.figures(3)[ROUTE]["v2"].requests == 2
    clock.now += 20  # the first second is 30 s old: out
    assert window.figures(3)[ROUTE]["v2"].requests == 1
    clock.now += 30 * 7  # the same slot of the ring, laps later
    window.observe(ROUTE, "v2", "canary", 200, 0.01)
    assert window.figures(3)[ROUTE]["v2"].requests == 1
    assert len(window.rings[ROUTE, "v2"]) == 30


def test_window_restarts_when_the_flags_change(window: GuardWindow, flags: FlagsNow) -> None:
    for _ in range(3):
        window.observe(ROUTE, "v2", "canary", 500, 0.01)
    flags.flags = Flags(canary_percent=50, epoch=4)  # e.g. re-ramped after a rollback
    assert window.figures(4) == {}  # nothing observed under epoch 4 yet
    window.observe(ROUTE, "v2", "canary", 200, 0.01)
    assert window.figures(3) == {}  # the old epoch's figures are gone
    assert window.figures(4)[ROUTE]["v2"].errors == 0


def test_window_records_nothing_while_no_traffic_goes_to_v2(
    window: GuardWindow, flags: FlagsNow
) -> None:
    flags.flags = Flags(epoch=5)
    window.observe(ROUTE, "v1", "default", 500, 0.01)
    assert window.figures(5) == {} and window.rings == {}


def test_tallies_travel_as_sparse_json_and_add_up() -> None:
    one, two = tally(10, errors=2, ms=40), tally(30, errors=0, ms=4000)
    wire = json.loads(json.dumps(to_wire({ROUTE: {"v2": one}})))
    assert from_wire(wire)[ROUTE]["v2"] == one
    merged = merge([{ROUTE: {"v2": one}}, {ROUTE: {"v2": two}, OTHER: {"v1": one}}])
    assert (merged[ROUTE]["v2"].requests, merged[ROUTE]["v2"].errors) == (40, 2)
    assert merged[OTHER]["v1"] == one
    with pytest.raises(ValueError):
        Tally.from_wire(["1", 0, {}])


def test_assess_needs_min_requests_on_v2() -> None:
    assert assess(ROUTE, {"v2": tally(49, errors=49)}, LIMITS) is None
    breach = assess(ROUTE, {"v2": tally(50, errors=50)}, LIMITS)
    assert breach is not None and breach.causes == ("errorRate",)


@pytest.mark.parametrize(
    ("v1_errors", "v2_errors", "breached"),
    [(0, 5, False), (0, 6, True), (10, 15, False), (10, 16, True)],
)
def test_assess_error_rate_against_v1_plus_delta(
    v1_errors: int, v2_errors: int, breached: bool
) -> None:
    figures = {"v1": tally(100, errors=v1_errors), "v2": tally(100, errors=v2_errors)}
    assert (assess(ROUTE, figures, LIMITS) is not None) is breached


def test_assess_without_v1_baseline_uses_zero_errors_and_the_slo() -> None:
    few_v1 = tally(49, errors=49, ms=10)  # below min requests: no baseline
    assert assess(ROUTE, {"v1": few_v1, "v2": tally(100, errors=5, ms=1700)}, LIMITS) is None
    breach = assess(ROUTE, {"v1": few_v1, "v2": tally(100, errors=6)}, LIMITS)
    assert breach is not None and breach.v1 is None and breach.max_error_rate == 0.05
    slow = assess(ROUTE, {"v2": tally(100, ms=2300)}, LIMITS)
    assert slow is not None and slow.causes == ("p95",) and slow.max_p95_ms == 2000


@pytest.mark.parametrize(
    ("v1_ms", "v2_ms", "breached"),
    [
        (100, 1700, False),  # 17x v1, but within the SLO
        (1500, 2900, False),  # above the SLO, but within 2x v1
        (1500, 3300, True),  # above both
        (1200, 2300, False),  # above the SLO, below 2x v1
    ],
)
def test_assess_p95_against_max_of_v1_ratio_and_slo(
    v1_ms: float, v2_ms: float, breached: bool
) -> None:
    figures = {"v1": tally(100, ms=v1_ms), "v2": tally(100, ms=v2_ms)}
    assert (assess(ROUTE, figures, LIMITS) is not None) is breached


def test_worst_breach_is_the_route_with_most_v2_requests_and_says_why() -> None:
    figures = {
        OTHER: {"v2": tally(60, errors=30)},
        ROUTE: {"v1": tally(100, ms=40), "v2": tally(200, errors=40, ms=3000)},
    }
    breach = worst_breach(figures, LIMITS)
    assert breach is not None and breach.route == ROUTE
    assert breach.causes == ("errorRate", "p95")
    reason = breach.reason(window_s=30)
    assert len(reason) <= 500
    assert ROUTE in reason and "n=200" in reason and "err=0.200" in reason
    assert "err<=0.050" in reason and "p95<=2000ms" in reason and "30s" in reason
    shown = breach.figures(window_s=30, epoch=7)
    p95 = breach.v2.p95_ms
    assert p95 is not None and 2900 < p95 < 3300  # within the histogram's 10 %
    assert shown["v2"] == {"requests": 200, "errors": 40, "errorRate": 0.2, "p95Ms": round(p95, 1)}
    assert shown["maxErrorRate"] == 0.05 and shown["windowS"] == 30 and shown["epoch"] == 7
    assert worst_breach({ROUTE: {"v2": tally(100)}}, LIMITS) is None
