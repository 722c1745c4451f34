"""gateway/shadow_report.py: noise, windows and the figures of the admin report."""

from __future__ import annotations

from gateway.json_diff import Difference
from gateway.shadow_report import HISTORY, Comparison, ShadowReport

ROUTE = "/api/v1/evaluations"
LATENCY = Difference("$.latencyMs", "number", "number")
SCORE = Difference("$.score", "number", "number")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _comparison(at: float, *found: Difference, agreed: int = 1, delta: float = 0.0) -> Comparison:
    return Comparison(at, False, found, agreed, 1, (delta,))


def test_differences_only_at_noise_paths_are_noise() -> None:
    clock = Clock()
    report = ShadowReport(60, clock)
    assert report.add_comparison(ROUTE, _comparison(clock.now, LATENCY)) == "mismatch"
    report.add_probe(ROUTE, ["$.latencyMs"])
    assert report.add_comparison(ROUTE, _comparison(clock.now, LATENCY)) == "noise"
    assert report.add_comparison(ROUTE, _comparison(clock.now, LATENCY, SCORE)) == "mismatch"
    entry = report.route_report(ROUTE)
    # the report classifies again with every probe: the first one was noise too
    assert (entry["matched"], entry["noiseOnly"], entry["mismatched"]) == (0, 2, 1)
    assert entry["topMismatchPaths"] == [
        {"path": "$.score", "v1Type": "number", "v2Type": "number", "count": 1}
    ]
    assert entry["noisePaths"] == [{"path": "$.latencyMs", "count": 1}]


def test_the_window_forgets_old_records() -> None:
    clock = Clock()
    report = ShadowReport(60, clock)
    report.add_comparison(ROUTE, _comparison(clock.now, SCORE))
    clock.now += 61
    report.add_comparison(ROUTE, _comparison(clock.now))
    assert report.mismatch_rate() == (0.0, 1)
    clock.now += 61
    assert report.report()["routes"] == {}


def test_verdict_agreement_and_score_deltas() -> None:
    clock = Clock()
    report = ShadowReport(60, clock)
    for n in range(20):
        report.add_comparison(ROUTE, _comparison(clock.now, agreed=n % 2, delta=n / 100))
    entry = report.route_report(ROUTE)
    assert entry["verdictAgreement"] == 0.5
    assert entry["scoreDelta"] == {"mean": 0.095, "p95": 0.18, "count": 20}


def test_errors_count_against_the_rate() -> None:
    clock = Clock()
    report = ShadowReport(60, clock)
    report.add_comparison(ROUTE, Comparison(clock.now, True, (), 0, 0, ()))
    report.add_comparison(ROUTE, _comparison(clock.now))
    assert report.mismatch_rate() == (0.5, 2)


def test_memory_is_bounded() -> None:
    clock = Clock()
    report = ShadowReport(60, clock)
    for _ in range(HISTORY + 5):
        report.add_comparison(ROUTE, _comparison(clock.now))
    assert report.route_report(ROUTE)["compared"] == HISTORY
