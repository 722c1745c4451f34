"""The gateway's CPU cost per request, measured in-process: no sockets, no wrk, no uvicorn.

Each app is driven as an ASGI callable on one event loop, N requests at a time, and
charged `time.process_time()` (every thread of the process: v2's sync handlers run in a
thread pool). The same request goes to the app that serves it alone and to the gateway
in front of the same app built as the gateway builds its in-process v2 (without the
request-id layer whose work the gateway's outer layer does); the gateway's extra cost is
the difference. Rounds alternate the two sides; the figures are medians over rounds, the
extra the median of the per-round differences, so a busy neighbour on the shared cores
moves both sides.

With --callgrind the same requests run under valgrind and the figures are instructions
per request, every thread's (dumps around each measured segment, see run_segments):
slow (about 5 minutes), but nearly the same from run to run whatever else the machine
does, so small changes show. The flag cache's refresh is off there.

Set-up as in production: heuristic engine, SQLite (in /dev/shm where there is one), the
gateway forced to v2 by FEATURE_FLAG_USE_V2 (to v1 for the v1 row, v1 alone being Flask
behind the WSGI bridge), LOG_LEVEL=INFO with the JSON access line written to /dev/null,
CORS off (`--cors` turns it on). The first case puts a stand-in that costs almost
nothing in v2's place: its extra is the gateway's fixed cost alone.

Usage: python bench/gateway_cpu.py [--requests 1000] [--rounds 7] [--concurrency 1] [--cors]
                                  [--callgrind]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import redirect_stderr
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from starlette.types import Receive, Scope, Send  # noqa: E402

import app_v2.main  # noqa: E402
import gateway.app  # noqa: E402
from core.logging import configure_logging  # noqa: E402
from core.settings import Settings, load_settings  # noqa: E402
from gateway.router import router_of  # noqa: E402

ORIGIN = "https://client.example"
SHORT_TEXT = json.dumps(
    {
        "requirementText": "The system shall answer every search request within 2 seconds.",
        "context": {"language": "en"},
        "criteriaKeys": ["clarity", "testability", "measurability"],
    }
).encode()
EMPTY_TEXT = json.dumps({"requirementText": ""}).encode()
RAW_BODY = b'{"verdict":"pass","score":1.0}'
RAW_HEADERS = [
    (b"content-type", b"application/json"),
    (b"content-length", str(len(RAW_BODY)).encode()),
]


@dataclass(frozen=True)
class Case:
    title: str
    method: str
    path: str
    body: bytes
    status: int
    # the app that serves it alone: "v2", "v1" (Flask behind the WSGI bridge), "ops" (the
    # gateway's own) or "raw"
    base: str
    through: str = "gateway"  # the gateway in front of that app


CASES = (
    Case(
        "POST /api/v1/evaluations, v2 stand-in",
        "POST",
        "/api/v1/evaluations",
        SHORT_TEXT,
        200,
        "raw",
        "gateway-raw",
    ),
    Case("GET /health", "GET", "/health", b"", 200, "ops"),
    Case("GET /api/v1/criteria", "GET", "/api/v1/criteria", b"", 200, "v2"),
    Case(
        "POST /api/v1/evaluations, short text", "POST", "/api/v1/evaluations", SHORT_TEXT, 200, "v2"
    ),
    Case(
        "POST /api/v1/evaluations, short text, v1",
        "POST",
        "/api/v1/evaluations",
        SHORT_TEXT,
        200,
        "v1",
        "gateway-v1",
    ),
    Case(
        "POST /api/v1/evaluations, empty text (400)",
        "POST",
        "/api/v1/evaluations",
        EMPTY_TEXT,
        400,
        "v2",
    ),
)


def _scope(case: Case, cors: bool) -> dict[str, Any]:
    headers = [
        (b"host", b"127.0.0.1:8087"),
        (b"user-agent", b"bench/1"),
        (b"accept", b"*/*"),
    ]
    if case.body:
        headers += [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(case.body)).encode()),
        ]
    if cors:
        headers.append((b"origin", ORIGIN.encode()))
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "server": ("127.0.0.1", 8087),
        "client": ("127.0.0.1", 40000),
        "scheme": "http",
        "method": case.method,
        "root_path": "",
        "path": case.path,
        "raw_path": case.path.encode(),
        "query_string": b"",
        "headers": headers,
        "state": {},
    }


async def _serve(app: Any, scope: dict[str, Any], body: bytes) -> int:
    """One request as uvicorn would hand it over; returns the status."""
    status = 0
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> dict[str, Any]:
        if pending:
            return pending.pop()
        await asyncio.Event().wait()  # no disconnect: the apps here never wait for one
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app({**scope, "headers": list(scope["headers"]), "state": {}}, receive, send)
    return status


async def _serve_many(
    app: Any, case: Case, scope: dict[str, Any], n: int, concurrency: int = 1
) -> None:
    """n requests, `concurrency` of them in flight at a time (n a multiple of it)."""
    for _ in range(n // concurrency):
        if concurrency == 1:
            await _serve(app, scope, case.body)
        else:
            await asyncio.gather(*(_serve(app, scope, case.body) for _ in range(concurrency)))


async def _cpu_per_request(
    app: Any, case: Case, scope: dict[str, Any], n: int, concurrency: int = 1
) -> float:
    """Microseconds of process CPU per request over n requests."""
    status = await _serve(app, scope, case.body)  # warm caches, and check the answer
    if status != case.status:
        raise SystemExit(f"{case.title}: expected {case.status}, got {status}")
    started = time.process_time()
    await _serve_many(app, case, scope, n, concurrency)
    return (time.process_time() - started) / n * 1e6


async def raw_v2(scope: Scope, receive: Receive, send: Send) -> None:
    """A stand-in for v2 that costs almost nothing: reads the body, answers fixed JSON.

    Through the gateway it leaves the gateway's own cost nearly alone in the figure.
    """
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 200, "headers": RAW_HEADERS})
    await send({"type": "http.response.body", "body": RAW_BODY})


def build_apps(workdir: Path, cors: bool, log: TextIO) -> dict[str, Any]:
    def settings(use_v2: bool) -> Settings:
        return load_settings(
            _env_file=None,
            # one database per flag state: the flags live there, and a gateway that read
            # another's would route elsewhere
            sqlite_path=workdir / f"reqgate-{'v2' if use_v2 else 'v1'}.db",
            qdrant_path=workdir / "qdrant",
            feature_flag_use_v2=use_v2,
            log_level="INFO",
            log_format="json",
            cors_origins=[ORIGIN] if cors else [],
        )

    on_v2 = settings(True)
    with redirect_stderr(log):
        configure_logging(on_v2.log_level, on_v2.log_format)  # its handler keeps `log`
    v2 = app_v2.main.create_app(on_v2)
    gw = gateway.app.create_app(on_v2, v2=app_v2.main.create_app(on_v2, behind_gateway=True))
    gw_v1 = gateway.app.create_app(settings(False), v2=raw_v2)
    return {
        "v2": v2,
        "ops": router_of(gw).apps["gateway"],
        "gateway": gw,
        "v1": router_of(gw_v1).apps["v1"],  # the Flask app behind the bridge the gateway uses
        "gateway-v1": gw_v1,
        "raw": raw_v2,
        "gateway-raw": gateway.app.create_app(on_v2, v2=raw_v2),
    }


def measure_cpu(
    apps: dict[str, Any], case: Case, n: int, rounds: int, cors: bool, concurrency: int
) -> dict[str, float]:
    """Process CPU per request alone and through the gateway: medians over rounds."""
    scope = _scope(case, cors)
    loop = asyncio.new_event_loop()
    sides: tuple[list[float], list[float]] = ([], [])
    try:
        for _ in range(rounds):
            for side, figures in zip((case.base, case.through), sides, strict=True):
                figures.append(
                    loop.run_until_complete(
                        _cpu_per_request(apps[side], case, scope, n, concurrency)
                    )
                )
    finally:
        loop.close()
    base, through = sides
    extras = [g - b for g, b in zip(through, base, strict=True)]
    return {
        "alone": statistics.median(base),
        "gateway": statistics.median(through),
        "extra": statistics.median(extras),
        "spread": max(extras) - min(extras),
    }


def run_segments(
    apps: dict[str, Any], cases: list[Case], n: int, cors: bool, concurrency: int
) -> None:
    """Under callgrind: each side of each case, n requests inside sys.call_tracing.

    sys.call_tracing is a C function nothing else calls, so callgrind can dump the counts
    of every thread right before and right after each call: the dumps alternate between
    what came before (start-up, imports, warm-up) and one measured segment. A dump holds
    the work of all threads since the last one; collecting only inside the call
    (--toggle-collect) would count the main thread alone, since callgrind toggles per
    thread, and miss v2's work in the thread pool.
    """
    for gateway_app in (apps["gateway"], apps["gateway-v1"], apps["gateway-raw"]):
        # One database read per 0.5 s of wall time is ~1 per 250 requests at 500 req/s,
        # but valgrind runs 50 times slower: left on, it would be counted 50 times over.
        router_of(gateway_app).flags.max_age_s = float("inf")
    loop = asyncio.new_event_loop()
    for case in cases:
        scope = _scope(case, cors)
        for side in (case.base, case.through):
            loop.run_until_complete(_cpu_per_request(apps[side], case, scope, 20))
            sys.call_tracing(
                loop.run_until_complete, (_serve_many(apps[side], case, scope, n, concurrency),)
            )
    loop.close()


def measure_instructions(
    cases: list[Case], n: int, cors: bool, concurrency: int
) -> list[dict[str, float]]:
    """Instructions per request (callgrind), alone and through the gateway, per case."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        command = [
            "valgrind",
            "--tool=callgrind",
            "--dump-before=sys_call_tracing",
            "--dump-after=sys_call_tracing",
            f"--callgrind-out-file={out}",
            sys.executable,
            __file__,
            "--segments",
            f"--requests={n}",
            f"--concurrency={concurrency}",
            *(["--cors"] if cors else []),
            *(f"--case={case.title}" for case in cases),
        ]
        subprocess.run(command, check=True, capture_output=True)
        counts = [  # dumps 1, 3, 5...: what came before each segment; 2, 4, 6...: a segment
            int(re.search(rb"^summary: (\d+)", Path(f"{out}.{i}").read_bytes(), re.M)[1])  # type: ignore[index]
            for i in range(2, 4 * len(cases) + 1, 2)
        ]
    return [
        {"alone": alone / n, "gateway": through / n, "extra": (through - alone) / n}
        for alone, through in zip(counts[::2], counts[1::2], strict=True)
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, help="per round (default 1000; callgrind 200)")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--concurrency", type=int, default=1, help="requests in flight at once")
    parser.add_argument("--cors", action="store_true", help="CORS_ORIGINS set, Origin sent")
    parser.add_argument("--case", action="append", help="only cases whose title contains this")
    parser.add_argument(
        "--callgrind", action="store_true", help="count instructions instead (valgrind, slow)"
    )
    parser.add_argument("--segments", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    cases = [c for c in CASES if not args.case or any(s in c.title for s in args.case)]
    n = args.requests or (200 if args.callgrind or args.segments else 1000)
    n -= n % args.concurrency
    conditions = ", CORS on" if args.cors else ""
    conditions += f", {args.concurrency} in flight" if args.concurrency > 1 else ""
    if args.callgrind:
        print(f"instructions/request (callgrind), {n} requests after 20 of warm-up{conditions}")
        print(f"{'request':<50} {'alone':>10} {'gateway':>10} {'extra':>9}")
        counts = measure_instructions(cases, n, args.cors, args.concurrency)
        for case, f in zip(cases, counts, strict=True):
            print(
                f"{case.title:<50} {f['alone']:>10,.0f} {f['gateway']:>10,.0f}"
                f" {f['extra']:>9,.0f}  (alone: {case.base})"
            )
        return 0
    shm = "/dev/shm" if os.path.isdir("/dev/shm") else None
    with tempfile.TemporaryDirectory(dir=shm) as tmp, open(os.devnull, "w") as log:
        apps = build_apps(Path(tmp), args.cors, log)
        if args.segments:
            run_segments(apps, cases, n, args.cors, args.concurrency)
            return 0
        print(f"CPU us/request, {n} requests x {args.rounds} rounds, medians{conditions}")
        print(f"{'request':<50} {'alone':>8} {'gateway':>8} {'extra':>7} {'spread':>7}")
        for case in cases:
            f = measure_cpu(apps, case, n, args.rounds, args.cors, args.concurrency)
            print(
                f"{case.title:<50} {f['alone']:>8.1f} {f['gateway']:>8.1f}"
                f" {f['extra']:>7.1f} {f['spread']:>7.1f}  (alone: {case.base})"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
