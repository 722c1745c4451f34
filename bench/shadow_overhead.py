"""What shadow mode costs the client: p50/p99 with SHADOW_PERCENT 0 and 100, one server.

One gateway process (uvicorn, one worker, pinned to CPU 0; SQLite and the embedded stores in
a temporary directory on /dev/shm, the heuristic engine) and this script's open-loop load
(dev/open_loop.py, pinned to CPU 1) on POST /api/v1/evaluations, a different requirement
per request. Rounds alternate the two settings on the same server (PATCH shadowPercent
between them, the order flipped every round), so drift on a shared machine hits both
alike; medians over rounds, min-max beside. With 100 % every request is also answered by
v2 as a dry run after the client has its answer, and SHADOW_NOISE_PERCENT (10) of them by
v1 a second time. Target (issue 15): p50 with 100 % within 10 % of p50 with 0 %.

Usage: python bench/shadow_overhead.py [--rate 50 100] [--seconds 10] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import sys
import tempfile
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dev.open_loop import Figures, run_open_loop  # noqa: E402
from dev.processes import free_port, running  # noqa: E402

TOKEN = "bench-admin-token-0123456789"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}
PATH = "/api/v1/evaluations"
COMPARISONS = r'reqgate_shadow_comparisons_total{result="(\w+)"[^}]*} (\S+)'
SUBJECTS = ("search", "export", "login", "report", "upload", "billing", "audit", "backup")


def request(i: int) -> tuple[str, str, dict[str, str], bytes]:
    """A different requirement each time: no answer comes from a cache."""
    subject = SUBJECTS[i % len(SUBJECTS)]
    text = f"The {subject} service should answer request {i} quickly and reliably."
    body = json.dumps({"requirementText": text, "context": {"language": "en"}}).encode()
    return "POST", PATH, {"Content-Type": "application/json"}, body


def gateway_command(port: int) -> list[str]:
    uvicorn = Path(sys.executable).parent / "uvicorn"
    return [
        "taskset", "-c", "0", str(uvicorn), "gateway.main:app", "--host", "127.0.0.1",
        "--port", str(port), "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip


def set_shadow(url: str, percent: int) -> None:
    body = {"shadowPercent": percent, "reason": "bench"}
    httpx.patch(f"{url}/api/runtime-config/flags", json=body, headers=ADMIN).raise_for_status()


def comparisons(url: str) -> dict[str, int]:
    text = httpx.get(f"{url}/metrics").text
    counts: dict[str, int] = {}
    for result, value in re.findall(COMPARISONS, text):
        counts[result] = counts.get(result, 0) + int(float(value))
    return counts


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values):7.2f} ({min(values):.2f}-{max(values):.2f})"


def measure(url: str, rate: float, seconds: float, rounds: int) -> dict[int, list[Figures]]:
    runs: dict[int, list[Figures]] = {0: [], 100: []}
    for number in range(rounds):
        for percent in (0, 100) if number % 2 == 0 else (100, 0):
            set_shadow(url, percent)
            asyncio.run(run_open_loop(url, request, rate=rate, seconds=1))  # warm-up
            run = run_open_loop(url, request, rate=rate, seconds=seconds)
            runs[percent].append(asyncio.run(run))
    return runs


def report(rate: float, runs: dict[int, list[Figures]]) -> None:
    p50 = {p: [f.quantile(0.5) for f in figures] for p, figures in runs.items()}
    p99 = {p: [f.quantile(0.99) for f in figures] for p, figures in runs.items()}
    print(f"\n{rate:g} req/s, {len(runs[0])} rounds each: ms, median (min-max) over rounds")
    print(f"{'SHADOW_PERCENT':>15} {'p50':>22} {'p99':>22} {'errors':>7}")
    for percent in (0, 100):
        errors = sum(f.server_errors for f in runs[percent])
        print(f"{percent:>15} {_spread(p50[percent]):>22} {_spread(p99[percent]):>22} {errors:>7}")
    ratios = [b / a for a, b in zip(p50[0], p50[100], strict=True)]
    print(f"p50 ratio 100/0 per round: median {statistics.median(ratios):.3f} "
          f"({min(ratios):.3f}-{max(ratios):.3f})")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, nargs="+", default=[50.0, 100.0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    os.sched_setaffinity(0, {1})  # the load on CPU 1, the server on CPU 0
    workdir = Path(tempfile.mkdtemp(prefix="shadow-bench-", dir="/dev/shm"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "SQLITE_PATH": str(workdir / "reqgate.db"),
        "QDRANT_PATH": str(workdir / "qdrant"),
        "ADMIN_TOKEN": TOKEN,
        "LOG_LEVEL": "WARNING",
    }
    print(f"CPUs: {os.cpu_count()}, load {os.getloadavg()[0]:.2f}; server on CPU 0, load on CPU 1")
    with running(gateway_command(port), f"{url}/health", env=env, cwd=ROOT):
        for rate in args.rate:
            report(rate, measure(url, rate, args.seconds, args.rounds))
        print(f"\nshadow comparisons by result: {comparisons(url)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
