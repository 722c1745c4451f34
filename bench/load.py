"""Load on a running gateway: open-loop rates, per route and variant, and the highest rate the
evaluation route sustains with p95 under 50 ms.

One `reqgate serve` process (pinned to CPU 0 with taskset; MOCK_MODE, the heuristic engine)
on SQLite (a file on /dev/shm) or PostgreSQL (a fresh schema of 127.0.0.1:5432/test, dropped
afterwards), and this script's open-loop load (dev/open_loop.py: a fixed arrival schedule,
latency from each request's due time) pinned to CPU 1. For each database and each variant
(v1 and v2, switched with featureFlagUseV2 between phases on the same server):

  30 rpm     the seed's target (p95 <= 2,000 ms), a route mix, 60 s
  3,000 rpm  50 req/s of the same mix, 20 s
  step       POST /api/v1/evaluations alone at rising rates (5 s each after 1 s of warm-up),
             up while p95 < 50 ms, no errors and at least 95 % of the offered rate answered,
             then halved between the last good and the first bad rate twice

The mix: 80 % evaluations (a different requirement each time, German and English), 10 %
validate/batch (3 items), 10 % GET /api/v1/criteria. Printed: p50/p95/p99, errors and the
achieved rate per route and variant; the step search's rates; the server's peak RSS (VmHWM).

Usage: python bench/load.py [--db sqlite postgresql] [--variant v1 v2] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dev.open_loop import Answer, Figures, run_open_loop  # noqa: E402
from dev.postgres import new_schema  # noqa: E402
from dev.processes import free_port, running  # noqa: E402

TOKEN = "bench-admin-token-0123456789"
POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
EVALUATE, BATCH, CRITERIA = "/api/v1/evaluations", "/api/v1/validate/batch", "/api/v1/criteria"
JSON = {"Content-Type": "application/json"}
SUBJECTS = ("search", "export", "login", "report", "upload", "billing", "audit", "backup")
P95_LIMIT_MS = 50.0
HEADER = (
    "  {:<34} " + " ".join(f"{c:>8}" for c in ("req/s", "p50 ms", "p95 ms", "p99 ms")) + " errors"
)


def _text(i: int) -> str:
    subject = SUBJECTS[i % len(SUBJECTS)]
    if i % 2:
        return f"Das System sollte die Funktion {subject} für Anfrage {i} schnell bereitstellen."
    return f"The {subject} service shall answer request {i} within {i % 5 + 1} seconds."


def evaluation(i: int) -> tuple[str, str, dict[str, str], bytes]:
    return "POST", EVALUATE, JSON, json.dumps({"requirementText": _text(i)}).encode()


def mixed(i: int) -> tuple[str, str, dict[str, str], bytes]:
    """80 % evaluations, 10 % validate/batch, 10 % criteria, interleaved evenly."""
    if i % 10 == 4:
        items = [_text(i), _text(i + 1), _text(i + 2)]
        return "POST", BATCH, JSON, json.dumps(items).encode()
    if i % 10 == 9:
        return "GET", CRITERIA, {}, b""
    return evaluation(i)


def route_of(i: int) -> str:
    return mixed(i)[1]


@contextmanager
def postgres_url() -> Iterator[str]:
    """A URL on a new schema of the test database, dropped afterwards."""
    import sqlalchemy

    admin = sqlalchemy.create_engine(
        POSTGRES.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    try:
        with new_schema(admin, POSTGRES, prefix="bench") as url:
            yield url
    finally:
        admin.dispose()


@contextmanager
def gateway(db: str, workdir: Path) -> Iterator[tuple[str, int]]:
    """A served gateway on `db`; yields its URL and pid."""
    port = free_port()
    env = {
        **os.environ,
        "API_PORT": str(port),
        "ADMIN_TOKEN": TOKEN,
        "LOG_LEVEL": "WARNING",
        "SQLITE_PATH": str(workdir / "reqgate.db"),
        "QDRANT_PATH": str(workdir / "qdrant"),
        "GUARD_ENABLED": "false",  # the bench switches variants by hand
    }
    command = ["taskset", "-c", "0", str(Path(sys.executable).parent / "reqgate"), "serve"]
    with postgres_url() if db == "postgresql" else _nothing() as url:
        if url:
            env["DATABASE_URL"] = url
        base = f"http://127.0.0.1:{port}"
        with running(command, f"{base}/livez", env=env, cwd=ROOT) as process:
            yield base, process.pid


@contextmanager
def _nothing() -> Iterator[None]:
    yield None


def use_variant(url: str, variant: str) -> None:
    body = {"featureFlagUseV2": variant == "v2", "reason": "bench/load.py"}
    headers = {"Authorization": f"Bearer {TOKEN}"}
    httpx.patch(f"{url}/api/runtime-config/flags", json=body, headers=headers).raise_for_status()


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _row(label: str, figures: Figures) -> str:
    s = figures.summary()
    return (
        f"  {label:<34} {s['achieved']:>8.1f} {s['p50']:>8.2f} {s['p95']:>8.2f} "
        f"{s['p99']:>8.2f} {s['errors']:>6}"
    )


def _is(route: str, variant: str, answer: Answer) -> bool:
    return route_of(answer.index) == route and answer.variant == variant


def report_mix(title: str, figures: Figures) -> None:
    print(f"{title}: offered {figures.rate:g}/s for {figures.seconds:g} s")
    print(HEADER.format("route (variant)"))
    for route in (EVALUATE, BATCH, CRITERIA):
        for variant in sorted({a.variant for a in figures.answers}):
            part = figures.where(partial(_is, route, variant))
            if part.answers:
                print(_row(f"{route} ({variant})", part))
    print(_row("all", figures))


def good(figures: Figures) -> bool:
    enough = figures.achieved_rate >= 0.95 * figures.rate
    return enough and not figures.server_errors and figures.quantile(0.95) < P95_LIMIT_MS


def step(url: str, rate: float, seconds: float) -> Figures:
    asyncio.run(run_open_loop(url, evaluation, rate=rate, seconds=1))  # warm-up
    figures = asyncio.run(run_open_loop(url, evaluation, rate=rate, seconds=seconds))
    verdict = "ok" if good(figures) else "over"
    print(_row(f"{rate:7.0f}/s {verdict}", figures))
    return figures


def step_search(url: str, seconds: float, start: float, growth: float) -> float:
    """The highest rate found good: up by `growth` until one is not, then bisect twice."""
    print(f"step search on {EVALUATE}: p95 < {P95_LIMIT_MS:g} ms, no errors, >= 95 % answered")
    print(HEADER.format("rate"))
    best, rate = 0.0, start
    while good(step(url, rate, seconds)):
        best, rate = rate, rate * growth
    worst = rate
    for _ in range(2):
        middle = (best + worst) / 2
        if good(step(url, middle, seconds)):
            best = middle
        else:
            worst = middle
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--variant", nargs="+", default=["v1", "v2"])
    parser.add_argument("--quick", action="store_true", help="short phases, for a try")
    args = parser.parse_args()
    slow_s, mix_s, step_s = (10.0, 5.0, 2.0) if args.quick else (60.0, 20.0, 5.0)
    os.sched_setaffinity(0, {1})
    print(f"CPUs {os.cpu_count()}, load {os.getloadavg()[0]:.2f}; server on CPU 0, load on CPU 1")
    results: list[str] = []
    for db in args.db:
        workdir = Path(tempfile.mkdtemp(prefix="load-bench-", dir="/dev/shm"))
        with gateway(db, workdir) as (url, pid):
            for variant in args.variant:
                use_variant(url, variant)
                print(f"\n== {db}, {variant}")
                slow = asyncio.run(run_open_loop(url, mixed, rate=0.5, seconds=slow_s))
                report_mix("30 rpm", slow)
                busy = asyncio.run(run_open_loop(url, mixed, rate=50, seconds=mix_s))
                report_mix("3,000 rpm", busy)
                best = step_search(url, step_s, start=200, growth=1.5)
                results.append(
                    f"{db:<10} {variant}: 30 rpm p95 {slow.quantile(0.95):.1f} ms, "
                    f"3,000 rpm p95 {busy.quantile(0.95):.1f} ms, "
                    f"max {best:.0f} req/s with p95 < {P95_LIMIT_MS:g} ms"
                )
            results.append(f"{db:<10} peak RSS {peak_rss_mb(pid):.0f} MB")
    print("\nsummary")
    for line in results:
        print(" ", line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
