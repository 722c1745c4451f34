"""What shadow mode has seen: comparisons and noise probes per route, over a sliding window.

Each mirrored request leaves one Comparison (v1's answer against v2's); a sample also leaves a
NoiseProbe (the primary's answer against a second run of the primary, as Diffy does). A path
where two runs of the same variant differ is noise: a comparison that differs only at noise
paths counts as `noise`, not as a mismatch. The report classifies again with every probe of
the window, so comparisons made before a noise path was learnt count right too.

Memory is bounded (HISTORY records per route) and holds no request data: paths name API
fields, types are JSON type names, numbers are score deltas (gateway/json_diff.py).
"""

from __future__ import annotations

import math
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from gateway.json_diff import Difference

HISTORY = 10_000  # records kept per route
TOP_PATHS = 10
Result = str  # match | mismatch | noise | error


@dataclass(frozen=True, slots=True)
class Comparison:
    at: float
    error: bool  # the mirror failed (an exception) instead of answering
    differences: tuple[Difference, ...]
    verdicts_agreed: int
    verdicts_compared: int
    score_deltas: tuple[float, ...]

    def result(self, noise: frozenset[str]) -> Result:
        if self.error:
            return "error"
        if not self.differences:
            return "match"
        return "noise" if all(d.path in noise for d in self.differences) else "mismatch"


@dataclass(frozen=True, slots=True)
class NoiseProbe:
    at: float
    paths: frozenset[str]


_Record = TypeVar("_Record", Comparison, NoiseProbe)


def _p95(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


class ShadowReport:
    """Per route: the latest comparisons and noise probes; runs on the event loop only."""

    def __init__(self, window_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.window_s = window_s
        self.clock = clock
        self.comparisons: dict[str, deque[Comparison]] = {}
        self.probes: dict[str, deque[NoiseProbe]] = {}

    def add_comparison(self, route: str, comparison: Comparison) -> Result:
        """Keep a comparison; its result as the noise known now classifies it."""
        self.comparisons.setdefault(route, deque(maxlen=HISTORY)).append(comparison)
        return comparison.result(self.noise_paths(route))

    def add_probe(self, route: str, paths: Iterable[str]) -> None:
        self.probes.setdefault(route, deque(maxlen=HISTORY)).append(
            NoiseProbe(self.clock(), frozenset(paths))
        )

    def _recent(self, records: Iterable[_Record]) -> list[_Record]:
        since = self.clock() - self.window_s
        return [r for r in records if r.at >= since]

    def noise_paths(self, route: str) -> frozenset[str]:
        """The paths where two runs of the primary differed within the window."""
        probes = self._recent(self.probes.get(route, ()))
        return frozenset().union(*(p.paths for p in probes))

    def mismatch_rate(self) -> tuple[float, int]:
        """(share of mismatches and errors, comparisons) over every route in the window."""
        failed = compared = 0
        for route, records in self.comparisons.items():
            noise = self.noise_paths(route)
            for comparison in self._recent(records):
                compared += 1
                failed += comparison.result(noise) in ("mismatch", "error")
        return (failed / compared if compared else 0.0), compared

    def route_report(self, route: str) -> dict[str, object]:
        """One route's figures over the window (the admin report's entry)."""
        noise = self.noise_paths(route)
        records = self._recent(self.comparisons.get(route, ()))
        results = Counter(c.result(noise) for c in records)
        paths = Counter(
            d
            for c in records
            if c.result(noise) == "mismatch"
            for d in c.differences
            if d.path not in noise
        )
        probes = self._recent(self.probes.get(route, ()))
        noisy = Counter(path for p in probes for path in p.paths)
        agreed = sum(c.verdicts_agreed for c in records)
        judged = sum(c.verdicts_compared for c in records)
        deltas = [delta for c in records for delta in c.score_deltas]
        compared = len(records)
        failed = results["mismatch"] + results["error"]
        return {
            "compared": compared,
            "matched": results["match"],
            "mismatched": results["mismatch"],
            "noiseOnly": results["noise"],
            "errors": results["error"],
            "mismatchRate": round(failed / compared, 4) if compared else 0.0,
            "verdictAgreement": round(agreed / judged, 4) if judged else None,
            "scoreDelta": {
                "mean": round(sum(deltas) / len(deltas), 4) if deltas else None,
                "p95": _p95(deltas),
                "count": len(deltas),
            },
            "topMismatchPaths": [
                {"path": d.path, "v1Type": d.v1, "v2Type": d.v2, "count": n}
                for d, n in paths.most_common(TOP_PATHS)
            ],
            "noiseProbes": len(probes),
            "noisePaths": [
                {"path": path, "count": n} for path, n in sorted(noisy.items(), key=_by_count)
            ],
        }

    def report(self) -> dict[str, object]:
        """Every route with comparisons or probes in the window, and the overall rate."""
        rate, compared = self.mismatch_rate()
        routes = sorted(self.comparisons.keys() | self.probes.keys())
        by_route = {route: self.route_report(route) for route in routes}
        return {
            "windowS": self.window_s,
            "compared": compared,
            "mismatchRate": round(rate, 4),
            "routes": {r: e for r, e in by_route.items() if e["compared"] or e["noiseProbes"]},
        }


def _by_count(item: tuple[str, int]) -> tuple[int, str]:
    return -item[1], item[0]
