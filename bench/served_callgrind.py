"""Instructions per request of a served process: uvicorn under callgrind, every thread.

bench/hot_path.py counts the apps in-process; this counts a server as it runs, uvicorn's HTTP
handling (httptools, uvloop) included: v2 alone (`app_v2.server`), the gateway forced to v2,
the gateway forced to v1. Each side starts under valgrind with instrumentation off, pinned to
CPU 0, takes WARM_UP evaluations, then is counted over `--requests` more, sent on
`--connections` keep-alive connections from this process on CPU 1 (callgrind_control:
instrumentation on, counters zeroed, the requests, a dump). The client keeps no cookie, as
wrk does. SQLite in a temporary directory (on /dev/shm where there is one), the heuristic
engine, LOG_LEVEL=INFO with the JSON access line to /dev/null, and `reqgate serve`'s uvicorn
options as in bench/gateway_overhead.py (the gateway's sides with its head-limited protocol).

Under valgrind a request takes about 50 times as long, so what a gateway does per wall
second (its flag refresh every 0.5 s, the SLO guard's tick every 2 s) would be charged about
50 times over to each request: 2.84M instructions per request instead of 2.48M
(docs/benchmarks.md §14, "Third session"). Here the gateway is quiet (bench/hot_path.py):
it re-reads its flags only every QUIET_S, and the guard ticks every 600 s; in real time that
work is 0.2 % of a core. For the same reason its metrics and access lines go out in full
batches only: with their 0.25 s wait a batch held a handful of requests under valgrind, and
the count moved by +-25k instructions per request from run to run with how they fell (§14,
"Sixth session"). WARM_UP and the default --requests are whole batches.

Usage: python bench/served_callgrind.py [--requests 512] [--connections 4] [--side v2-alone ...]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.gateway_overhead import BODY, GATEWAY_PROTOCOL, PATH, SERVE_OPTIONS  # noqa: E402
from bench.hot_path import quiet  # noqa: E402
from dev.processes import free_port, running  # noqa: E402
from gateway.metrics import FLUSH_EVERY  # noqa: E402

# Whole batches of metrics and access lines (FLUSH_EVERY, as core.logging.LINES_EVERY) in
# the warm-up and, with the default --requests, in the count.
WARM_UP = FLUSH_EVERY
# side: (uvicorn's app argument, FEATURE_FLAG_USE_V2)
SIDES: dict[str, tuple[str, bool]] = {
    "v2-alone": ("app_v2.server:app", True),
    "gateway-v2": ("served_callgrind:quiet_gateway", True),
    "gateway-v1": ("served_callgrind:quiet_gateway", False),
}


def quiet_gateway() -> Any:
    """uvicorn factory: the served gateway (gateway.main), quiet (bench/hot_path.py)."""
    import gateway.main

    return quiet(gateway.main.app)


def _send(port: int, requests: int, connections: int) -> int:
    """`requests` evaluations (rounded down to a multiple of `connections`) over
    `connections` keep-alive connections, each answered 200; how many were sent."""
    each = requests // connections
    failures: list[int] = []

    def client(count: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        for _ in range(count):
            connection.request("POST", PATH, BODY, {"Content-Type": "application/json"})
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                failures.append(response.status)
        connection.close()

    threads = [threading.Thread(target=client, args=(each,)) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise SystemExit(f"{len(failures)} requests failed, e.g. status {failures[0]}")
    return each * connections


def _control(pid: int, *options: str) -> None:
    subprocess.run(["callgrind_control", *options, str(pid)], check=True, capture_output=True)


def measure(
    side: str, requests: int, connections: int, workdir: Path, cache_sim: bool = False
) -> dict[str, float]:
    """Callgrind's events per request of one side, every thread of its server process:
    instructions (Ir), and with `cache_sim` its simulated cache's misses too."""
    target, use_v2 = SIDES[side]
    port, out = free_port(), workdir / f"{side}.callgrind"
    command = [
        "taskset", "-c", "0", "valgrind", "--tool=callgrind", "--instr-atstart=no",
        *(["--cache-sim=yes"] if cache_sim else []),
        f"--callgrind-out-file={out}", sys.executable, "-m", "uvicorn",
        "--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--log-level", "warning",
        "--app-dir", str(ROOT / "bench"), *SERVE_OPTIONS,
        *(["--factory", *GATEWAY_PROTOCOL] if target.startswith("served_callgrind:") else []),
        target,
    ]  # fmt: skip
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "SQLITE_PATH": str(workdir / f"{side}.db"),
        "QDRANT_PATH": str(workdir / f"{side}-qdrant"),
        "FEATURE_FLAG_USE_V2": str(use_v2).lower(),
        "CANARY_PERCENT": "0",
        "LOG_LEVEL": "INFO",
        "GUARD_WINDOW_S": "3600",
        "GUARD_INTERVAL_S": "600",
    }
    url = f"http://127.0.0.1:{port}/health"
    # valgrind's start-up of the imports takes minutes on a busy 2-core machine
    with running(command, url, env=env, cwd=ROOT, timeout_s=600) as server:
        _send(port, WARM_UP, connections)
        _control(server.pid, "--instr=on")
        _control(server.pid, "--zero")
        sent = _send(port, requests, connections)
        _control(server.pid, "--dump")
        _control(server.pid, "--instr=off")
    text = next(workdir.glob(f"{side}.callgrind.*")).read_bytes()
    events = re.search(rb"^events: (.+)$", text, re.M)
    totals = re.search(rb"^(?:summary|totals): (.+)$", text, re.M)
    if events is None or totals is None:
        raise SystemExit(f"callgrind wrote no totals for {side}")
    names = events[1].decode().split()
    return {name: int(value) / sent for name, value in zip(names, totals[1].split(), strict=False)}


def main() -> int:
    missing = [
        tool for tool in ("valgrind", "callgrind_control", "taskset") if not shutil.which(tool)
    ]
    if missing:
        print(
            f"needs {', '.join(missing)} (apt-get install -y valgrind util-linux)", file=sys.stderr
        )
        return 1
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2 * FLUSH_EVERY)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--side", choices=SIDES, action="append", help="default: all three")
    parser.add_argument(
        "--cache-sim", action="store_true", help="also the simulated caches' misses (slower)"
    )
    args = parser.parse_args()
    if len(os.sched_getaffinity(0)) > 1:
        os.sched_setaffinity(0, {1})  # the client beside the server's CPU 0
    sides = args.side or list(SIDES)
    shm = "/dev/shm" if os.path.isdir("/dev/shm") else None
    with tempfile.TemporaryDirectory(dir=shm) as tmp:
        figures = {
            side: measure(side, args.requests, args.connections, Path(tmp), args.cache_sim)
            for side in sides
        }
    print(f"instructions/request (callgrind, every thread), {args.requests} evaluations "
          f"on {args.connections} connections")  # fmt: skip
    first = figures[sides[0]]
    for side, counts in figures.items():
        print(f"{side:<12} {counts['Ir']:>12,.0f}  {first['Ir'] / counts['Ir']:.3f}")
    if args.cache_sim:
        # I1mr/D1mr/D1mw: first-level misses; ILmr/DLmr/DLmw: last-level (callgrind's model
        # of this machine's caches, not a hardware count: this VM has no PMU)
        misses = [name for name in first if name != "Ir" and not name.startswith(("Dr", "Dw"))]
        print(f"{'misses/request':<12}" + "".join(f"{name:>10}" for name in misses))
        for side, counts in figures.items():
            print(f"{side:<12}" + "".join(f"{counts[name]:>10,.0f}" for name in misses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
