"""One request's cost in-process: v2 alone, v2 through the gateway, v1 through the gateway.

No sockets, no uvicorn: each app is driven as an ASGI callable on one event loop (the
gateway serves v1 through its WSGI bridge), SQLite in /dev/shm where there is one, the
heuristic engine, LOG_LEVEL=INFO with the JSON access line written to /dev/null.

Two measures:
- default: throughput and process CPU per request (every thread), `--concurrency`
  requests in flight, the targets interleaved round by round, medians over rounds (fast,
  but it moves with whatever else the machine does);
- `--callgrind`: instructions per request over every thread of the process. Each target
  runs twice under valgrind, warm-up plus N requests and warm-up plus none; the difference
  divided by N is what a request costs, whatever thread did the work (callgrind's
  `--toggle-collect` would count only the thread that toggles). Slow (minutes), but the
  same from run to run within a few tenths of a percent. After the warm-up the heap is
  frozen, as the servers freeze theirs (core.runtime.freeze_startup_heap): a full
  collection of the unfrozen start-up heap (180-330 ms, bench/gc_pauses.py) fell in one
  of the two runs or in neither, and moved the figure by hundreds of thousands of
  instructions per request. The gateway's work per wall second is pushed out there
  (`quiet`): valgrind runs ~50x slower, so it would be counted ~50 times over.

Usage: python bench/hot_path.py [--case evaluation] [--target v2] [--requests 1000]
                                [--rounds 5] [--concurrency 1] [--callgrind]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import redirect_stderr
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import app_v2.main  # noqa: E402
import gateway.app  # noqa: E402
from core.logging import configure_logging  # noqa: E402
from core.runtime import freeze_startup_heap  # noqa: E402
from core.settings import load_settings  # noqa: E402
from dev import callgrind  # noqa: E402
from gateway.middleware.request_context import ACCESS_LINE  # noqa: E402
from gateway.router import router_of  # noqa: E402

TARGETS = ("v2", "gateway-v2", "gateway-v1")
WARM_UP = 20
EVALUATION = {
    "requirementText": "The system shall answer every search request within 2 seconds.",
    "context": {"language": "en"},
    "criteriaKeys": ["clarity", "testability", "measurability"],
}
# case -> method, path, JSON body (None: no body)
CASES: dict[str, tuple[str, str, Any]] = {
    "evaluation": ("POST", "/api/v1/evaluations", EVALUATION),
    "criteria": ("GET", "/api/v1/criteria", None),
    "validate": ("POST", "/api/v1/validate/batch", [EVALUATION["requirementText"]]),
}


def build_targets(workdir: Path, names: Sequence[str] = TARGETS) -> dict[str, Any]:
    """The named ASGI callables, and only those (under valgrind, building an app costs more
    than the requests measured); they share nothing but the database file, each gateway
    builds its in-process v2 as it does when served."""
    settings = load_settings(
        _env_file=None,
        sqlite_path=workdir / "reqgate.db",
        qdrant_path=workdir / "qdrant",
        log_level="INFO",
        log_format="json",
    )
    targets: dict[str, Any] = {}
    if "v2" in names:
        targets["v2"] = app_v2.main.create_app(settings)
    if "gateway-v2" in names:
        forced_v2 = settings.model_copy(update={"feature_flag_use_v2": True})
        targets["gateway-v2"] = gateway.app.create_app(forced_v2)
    if "gateway-v1" in names:
        targets["gateway-v1"] = gateway.app.create_app(settings)
    return targets


def scope_of(method: str, path: str, body: bytes) -> dict[str, Any]:
    """The scope uvicorn would pass for this request (the keys reqgate reads)."""
    headers = [(b"host", b"127.0.0.1:8087"), (b"user-agent", b"bench/1"), (b"accept", b"*/*")]
    if body:
        headers += [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    peers = {"server": ("127.0.0.1", 8087), "client": ("127.0.0.1", 40000)}
    return dict(
        type="http", http_version="1.1", scheme="http", method=method, root_path="",
        path=path, raw_path=path.encode(), query_string=b"", headers=headers, **peers,
    )  # fmt: skip


async def serve(app: Any, scope: dict[str, Any], body: bytes) -> int:
    """One request as uvicorn hands it over; the answer's status. After the body, receive
    waits for good: the client never leaves."""
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    inbox.put_nowait({"type": "http.request", "body": body, "more_body": False})
    statuses: list[int] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await app({**scope, "headers": list(scope["headers"]), "state": {}}, inbox.get, send)
    return statuses[0]


async def serve_many(app: Any, case: str, n: int, concurrency: int) -> None:
    """n requests of the case, `concurrency` in flight at a time; each must answer 200."""
    method, path, payload = CASES[case]
    body = b"" if payload is None else json.dumps(payload).encode()
    scope = scope_of(method, path, body)
    for _ in range(n // concurrency):
        statuses = await asyncio.gather(*(serve(app, scope, body) for _ in range(concurrency)))
        if set(statuses) != {200}:
            raise SystemExit(f"{case}: answered {statuses}")


def throughput(
    targets: dict[str, Any], names: list[str], case: str, n: int, rounds: int, concurrency: int
) -> dict[str, tuple[float, float]]:
    """Per named target: median requests per second and median process CPU us per request."""
    loop = asyncio.new_event_loop()
    figures: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
    for name in names:
        loop.run_until_complete(serve_many(targets[name], case, WARM_UP, 1))
    freeze_startup_heap()  # as the servers do
    for number in range(rounds):
        order = names if number % 2 == 0 else names[::-1]
        for name in order:
            wall, cpu = time.perf_counter(), time.process_time()
            loop.run_until_complete(serve_many(targets[name], case, n, concurrency))
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            figures[name].append((n / wall, cpu / n * 1e6))
    loop.close()
    return {
        name: (
            statistics.median(rate for rate, _ in runs),
            statistics.median(cpu for _, cpu in runs),
        )
        for name, runs in figures.items()
    }


QUIET_S = 100_000.0


def quiet(gateway_app: Any) -> Any:
    """The gateway without its work per wall second, for a count under valgrind or a tracer,
    where a request takes ~50x as long and that work would be charged ~50 times over: its
    flags re-read every QUIET_S, its metrics and access lines handled in full batches only
    (as at a real rate above 1,000 requests per second, where their 0.25 s wait gathers
    more than a batch holds; docs/benchmarks.md §14, "Sixth session")."""
    router = router_of(gateway_app)
    router.flags.max_age_s = router.flags.max_staleness_s = QUIET_S
    for batches in (router.metrics._noted, ACCESS_LINE._noted):
        batches.max_wait_s = QUIET_S
    return gateway_app


def run_once(targets: dict[str, Any], target: str, case: str, n: int, concurrency: int) -> None:
    """Under callgrind: the warm-up, then n requests (none for the baseline)."""
    if target.startswith("gateway"):  # see the module docstring
        quiet(targets[target])
    loop = asyncio.new_event_loop()
    loop.run_until_complete(serve_many(targets[target], case, WARM_UP, 1))
    freeze_startup_heap()  # as the servers do; see the module docstring
    if n:
        loop.run_until_complete(serve_many(targets[target], case, n, concurrency))
    loop.close()


def instructions(target: str, case: str, n: int, concurrency: int) -> float:
    """Instructions per request over every thread: (warm-up + n) - (warm-up alone), / n."""
    args = [f"--run={target}", f"--case={case}", f"--concurrency={concurrency}"]
    return callgrind.per_request(__file__, args, "--requests", n)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=CASES, action="append", help="default: evaluation")
    parser.add_argument("--target", choices=TARGETS, action="append", help="default: all three")
    parser.add_argument("--requests", type=int, help="per round (default 1000; callgrind 200)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=1, help="requests in flight at once")
    parser.add_argument("--callgrind", action="store_true", help="count instructions (slow)")
    parser.add_argument("--run", choices=TARGETS, help=argparse.SUPPRESS)  # callgrind's child
    args = parser.parse_args()
    cases = args.case or ["evaluation"]
    names = [name for name in TARGETS if name in (args.target or TARGETS)]
    n = args.requests if args.requests is not None else (200 if args.callgrind else 1000)
    n -= n % args.concurrency
    in_flight = f", {args.concurrency} in flight" if args.concurrency > 1 else ""
    if args.callgrind:
        print(f"instructions/request (callgrind, all threads), {n} requests{in_flight}")
        print(f"{'case':<12}" + "".join(f"{name:>14}" for name in names))
        for case in cases:
            print(f"{case:<12}", end="", flush=True)
            for name in names:  # each figure as it comes: a run takes minutes
                count = instructions(name, case, n, args.concurrency)
                print(f"{count:>14,.0f}", end="", flush=True)
            print()
        return 0
    shm = "/dev/shm" if os.path.isdir("/dev/shm") else None
    with tempfile.TemporaryDirectory(dir=shm) as tmp, open(os.devnull, "w") as log:
        with redirect_stderr(log):
            configure_logging("INFO", "json")  # its handler keeps `log`
        targets = build_targets(Path(tmp), [args.run] if args.run else names)
        if args.run:
            run_once(targets, args.run, cases[0], n, args.concurrency)
            return 0
        print(f"in-process, {n} requests x {args.rounds} rounds, medians{in_flight}")
        print(f"{'case':<12} {'target':<12} {'req/s':>8} {'CPU us/req':>11}")
        for case in cases:
            for name, (rate, cpu) in throughput(
                targets, names, case, n, args.rounds, args.concurrency
            ).items():
                print(f"{case:<12} {name:<12} {rate:>8,.0f} {cpu:>11,.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
