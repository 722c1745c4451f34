"""The write path's cost: CPU per request, throughput and instructions per request of
POST /api/v1/evaluations, in-process, on SQLite and PostgreSQL, 1 to 32 requesters at once.

Two levels, both in one process with no sockets:
- `core`: `core.evaluation.evaluate()` called from N threads at once, each call with its own
  session, as v1's and v2's handlers call it (criteria read, engine, rows stored);
- `route`: the gateway (ASGI, as uvicorn hands requests over) in front of v1 or v2, N
  requests in flight on one event loop. v1 serves in V1_THREADS (4) threads, v2's sync
  handlers in anyio's pool (40).

Figures are medians over rounds: requests per second (wall) and process CPU per request
(every thread's). With --callgrind the figure is instructions per request over every
thread: the same requests run twice under valgrind, with few and with many requests after
the warm-up, and the difference is divided by the difference in requests, so start-up and
imports fall out without a per-thread toggle.

SQLite lives in a temporary directory on the disk (not tmpfs: a commit's fsync is what
SQLITE_SYNCHRONOUS decides), PostgreSQL in a new schema of --pg-url, dropped afterwards.
The heuristic engine; a different requirement text per request.

Usage: python bench/write_path.py [--db sqlite postgresql] [--level core route]
           [--variant v1 v2] [--concurrency 1 8 32] [--requests 400] [--rounds 3]
           [--synchronous FULL NORMAL] [--group-wait-ms 2] [--callgrind]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy  # noqa: E402
from sqlmodel import Session  # noqa: E402

import gateway.app  # noqa: E402
from bench import gateway_cpu  # noqa: E402  (its ASGI driver: requests as uvicorn hands them over)
from core.contract.evaluations import EvaluationCreate  # noqa: E402
from core.evaluation import evaluate  # noqa: E402
from core.runtime import open_store  # noqa: E402
from core.settings import Settings, load_settings  # noqa: E402
from dev import callgrind  # noqa: E402

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PATH = "/api/v1/evaluations"
SUBJECTS = ("search", "export", "login", "report", "upload", "billing", "audit", "backup")
WARM_UP = 20
CHOOSES_SYNC = "sqlite_synchronous" in Settings.model_fields  # SQLITE_SYNCHRONOUS (else NORMAL)


def text(i: int) -> str:
    """A different requirement each time, of the short kind the issue measured (all of one
    length, so that one ASGI scope fits every request)."""
    return f"The {SUBJECTS[i % len(SUBJECTS)]:<7} service shall answer request {i:07d} in 2 s."


def _case(i: int) -> gateway_cpu.Case:
    body = json.dumps({"requirementText": text(i)}).encode()
    return gateway_cpu.Case(f"evaluation {i}", "POST", PATH, body, 200, "gateway")


@dataclass(frozen=True)
class Config:
    db: str
    level: str
    variant: str
    concurrency: int
    synchronous: str | None
    group_wait_ms: float | None


@dataclass(frozen=True)
class Places:
    """Where the databases are made: a PostgreSQL server, a directory for SQLite files."""

    pg_url: str = PG_URL
    sqlite_dir: str = "/tmp"


@contextmanager
def database(db: str, places: Places) -> Iterator[dict[str, Any]]:
    """Settings overrides for a new, empty database."""
    pg_url = places.pg_url
    if db == "sqlite":
        with tempfile.TemporaryDirectory(dir=places.sqlite_dir) as tmp:
            yield {"sqlite_path": Path(tmp) / "reqgate.db", "qdrant_path": Path(":memory:")}
        return
    admin = sqlalchemy.create_engine(pg_url, isolation_level="AUTOCOMMIT")
    schema = f"bench_{secrets.token_hex(4)}"
    with admin.connect() as connection:
        connection.execute(sqlalchemy.text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = f"{pg_url}?options=-csearch_path%3D{schema}"
        yield {"database_url": url, "qdrant_path": Path(":memory:")}
    finally:
        with admin.connect() as connection:
            connection.execute(sqlalchemy.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def settings_for(config: Config, overrides: dict[str, Any]) -> Settings:
    """Production-like settings; the write path's own only where this code has them."""
    values: dict[str, Any] = {
        "_env_file": None,
        "feature_flag_use_v2": config.variant == "v2",
        "log_level": "WARNING",
        **overrides,
    }
    fields = Settings.model_fields
    if config.synchronous is not None and "sqlite_synchronous" in fields:
        values["sqlite_synchronous"] = config.synchronous
    if config.group_wait_ms is not None and "db_group_commit_wait_ms" in fields:
        values["db_group_commit_wait_ms"] = config.group_wait_ms
    return load_settings(**values)


# -- core level: evaluate() from N threads ---------------------------------------------------


def core_runner(settings: Settings, concurrency: int) -> Callable[[int, int], None]:
    """run(first, n): n evaluations with texts first.., `concurrency` threads at once."""
    engine = open_store(settings)
    pool = ThreadPoolExecutor(concurrency)

    def one(i: int) -> None:
        with Session(engine, expire_on_commit=False) as session:
            evaluate(
                session=session,
                settings=settings,
                request=EvaluationCreate(requirement_text=text(i)),
                variant="v1",
            )

    def run(first: int, n: int) -> None:
        for future in [pool.submit(one, i) for i in range(first, first + n)]:
            future.result()

    return run


# -- route level: the gateway in front of v1 or v2, N requests in flight ---------------------


def route_runner(settings: Settings, concurrency: int) -> Callable[[int, int], None]:
    """run(first, n): n requests through the gateway, `concurrency` of them in flight."""
    app = gateway.app.create_app(settings)
    # The flag cache's refresh (one read per 0.5 s of wall time) is off: valgrind runs 50
    # times slower and would count it 50 times over; off in both modes, so they compare.
    gateway_cpu._router(app).flags.max_age_s = float("inf")
    loop = asyncio.new_event_loop()
    scope = gateway_cpu._scope(_case(0), cors=False)  # every body has the same length

    async def many(first: int, n: int) -> None:
        queue = iter(range(first, first + n))

        async def requester() -> None:
            for i in queue:
                case = _case(i)
                if await gateway_cpu._serve(app, scope, case.body) != case.status:
                    raise SystemExit(f"request {i} failed")

        await asyncio.gather(*(requester() for _ in range(concurrency)))

    def run(first: int, n: int) -> None:
        loop.run_until_complete(many(first, n))

    return run


RUNNERS = {"core": core_runner, "route": route_runner}


# -- measuring ----------------------------------------------------------------------------


def measure(config: Config, n: int, rounds: int, places: Places) -> dict[str, float]:
    """Requests per second and CPU microseconds per request, medians over rounds."""
    rates, cpus = [], []
    with database(config.db, places) as overrides:
        run = RUNNERS[config.level](settings_for(config, overrides), config.concurrency)
        run(0, WARM_UP)
        for r in range(rounds):
            wall, cpu = time.perf_counter(), time.process_time()
            run(WARM_UP + r * n, n)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            rates.append(n / wall)
            cpus.append(cpu / n * 1e6)
    return {"rps": statistics.median(rates), "cpu_us": statistics.median(cpus)}


def segment(config: Config, n: int, places: Places) -> None:
    """Under callgrind: warm up, then n requests; the caller subtracts two runs."""
    with database(config.db, places) as overrides:
        run = RUNNERS[config.level](settings_for(config, overrides), config.concurrency)
        run(0, WARM_UP)
        if n:
            run(WARM_UP, n)
    for thread in threading.enumerate():  # let the writer drain before valgrind counts
        if thread.name.startswith("reqgate-writer"):
            thread.join(5)


def instructions(config: Config, n: int, places: Places) -> float:
    """Instructions per request, every thread: (run with n + WARM_UP) - (run with WARM_UP)."""
    args = [
        "--segment",
        *_config_args(config),
        f"--pg-url={places.pg_url}",
        f"--sqlite-dir={places.sqlite_dir}",
    ]
    return callgrind.per_request(__file__, args, "--requests", n)


def _config_args(config: Config) -> list[str]:
    args = [
        f"--db={config.db}",
        f"--level={config.level}",
        f"--variant={config.variant}",
        f"--concurrency={config.concurrency}",
    ]
    if config.synchronous:
        args.append(f"--synchronous={config.synchronous}")
    if config.group_wait_ms is not None:
        args.append(f"--group-wait-ms={config.group_wait_ms}")
    return args


def configs(args: argparse.Namespace) -> Iterator[Config]:
    for db in args.db:
        for level in args.level:
            for variant in args.variant if level == "route" else ["v1"]:
                for synchronous in args.synchronous if db == "sqlite" and CHOOSES_SYNC else [None]:
                    for wait in args.group_wait_ms or [None]:
                        for concurrency in args.concurrency:
                            yield Config(db, level, variant, concurrency, synchronous, wait)


def fsync_ms(directory: str, count: int = 100) -> float:
    """Median milliseconds of one 4 KiB write + fsync in `directory`: what a FULL commit
    waits for (on a shared disk it varies 20-fold with the neighbours' load)."""
    times = []
    with tempfile.NamedTemporaryFile(dir=directory) as probe:
        for _ in range(count):
            probe.write(b"x" * 4096)
            probe.flush()
            started = time.perf_counter()
            os.fsync(probe.fileno())
            times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def _reachable(pg_url: str) -> bool:
    engine = sqlalchemy.create_engine(pg_url, connect_args={"connect_timeout": 2})
    try:
        with engine.connect():
            return True
    except sqlalchemy.exc.OperationalError:
        return False
    finally:
        engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--level", nargs="+", default=["core", "route"])
    parser.add_argument("--variant", nargs="+", default=["v1", "v2"])
    parser.add_argument("--concurrency", nargs="+", type=int, default=[1, 8, 32])
    parser.add_argument("--requests", type=int, help="per round (default 400; callgrind 100)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--synchronous", nargs="+", default=["FULL"], help="SQLite only")
    parser.add_argument("--group-wait-ms", nargs="+", type=float)
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--sqlite-dir", default="/tmp", help="/dev/shm: no fsync cost")
    parser.add_argument("--callgrind", action="store_true", help="instructions per request")
    parser.add_argument("--segment", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    places = Places(args.pg_url, args.sqlite_dir)
    if args.segment:
        (config,) = configs(args)
        segment(config, args.requests, places)
        return 0
    if "postgresql" in args.db and not _reachable(args.pg_url):
        print(f"PostgreSQL not reachable at {args.pg_url}: its rows are skipped")  # noqa: T201
        args.db.remove("postgresql")
    n = args.requests or (100 if args.callgrind else 400)
    unit = "instructions/request (callgrind, all threads)" if args.callgrind else "medians"
    fsync = f", fsync in {args.sqlite_dir}: {fsync_ms(args.sqlite_dir):.2f} ms"
    print(f"POST {PATH}, {n} requests per round, {unit}{fsync}")  # noqa: T201
    print(f"{'db':<10} {'level':<6} {'var':<4} {'sync':<7} {'wait':>5} {'N':>3} {'figures':>30}")  # noqa: T201
    for config in configs(args):
        if args.callgrind:
            figures = f"{instructions(config, n, places):>14,.0f} instr"
        else:
            f = measure(config, n, args.rounds, places)
            figures = f"{f['rps']:>8.0f} req/s {f['cpu_us']:>8.0f} us CPU"
        wait = "-" if config.group_wait_ms is None else f"{config.group_wait_ms:g}"
        print(  # noqa: T201
            f"{config.db:<10} {config.level:<6} {config.variant:<4} {config.synchronous or '-':<7}"
            f" {wait:>5} {config.concurrency:>3} {figures:>30}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
