"""The garbage collector's pauses during evaluations, with and without the start-up heap
frozen (core.runtime.freeze_startup_heap, which the server entry points call).

Each target of bench/hot_path.py (in-process, no sockets, SQLite in /dev/shm) is built in a
fresh child process, warmed up, optionally frozen, then serves N evaluations with
`--concurrency` in flight while gc.callbacks time every collection. Printed per target and
mode: collections and their total and longest pause per generation, and the wall rate.
One full (generation 2) collection of the unfrozen heap is the figure to read: it is one
pause inside one request.

Usage: python bench/gc_pauses.py [--target v2 ...] [--requests 3000] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import redirect_stderr
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.hot_path import TARGETS, build_targets, serve_many  # noqa: E402
from core.logging import configure_logging  # noqa: E402
from core.runtime import freeze_startup_heap  # noqa: E402


def measure(target: str, n: int, concurrency: int, freeze: bool) -> dict[str, object]:
    """In this process: build the target, warm it up, then time each collection."""
    pauses: dict[int, list[float]] = {0: [], 1: [], 2: []}
    started = [0.0]

    def timed(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            pauses[info["generation"]].append(time.perf_counter() - started[0])

    shm = "/dev/shm" if os.path.isdir("/dev/shm") else None
    with tempfile.TemporaryDirectory(dir=shm) as tmp, open(os.devnull, "w") as log:
        with redirect_stderr(log):
            configure_logging("INFO", "json")
        app = build_targets(Path(tmp), [target])[target]
        loop = asyncio.new_event_loop()
        loop.run_until_complete(serve_many(app, "evaluation", 100, 1))
        if freeze:
            freeze_startup_heap()
        tracked = len(gc.get_objects())
        gc.callbacks.append(timed)
        wall = time.perf_counter()
        loop.run_until_complete(serve_many(app, "evaluation", n, concurrency))
        wall = time.perf_counter() - wall
        gc.callbacks.remove(timed)
        loop.close()
    return {
        "tracked": tracked,
        "rate": n / wall,
        "pauses": {
            str(g): [len(p), sum(p) * 1000, max(p, default=0.0) * 1000] for g, p in pauses.items()
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", choices=TARGETS, action="append", help="default: all three")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)  # target, frozen|not
    args = parser.parse_args()
    if args.child:
        target, mode = args.child
        print(json.dumps(measure(target, args.requests, args.concurrency, mode == "frozen")))
        return 0
    print(f"{args.requests} evaluations, {args.concurrency} in flight, in-process")
    print(
        f"{'target':<12} {'heap':<8} {'tracked':>8} {'req/s':>7}"
        "  per generation: collections, total ms, longest ms"
    )
    for target in args.target or TARGETS:
        for mode in ("as is", "frozen"):
            child = [sys.executable, __file__, f"--requests={args.requests}"]
            child += [
                f"--concurrency={args.concurrency}",
                "--child",
                target,
                mode.replace("as is", "not"),
            ]
            figures = json.loads(
                subprocess.run(child, check=True, capture_output=True, text=True).stdout
            )
            gens = "  ".join(
                f"gen{g} {n:>4} {total:7.1f} {longest:6.1f}"
                for g, (n, total, longest) in figures["pauses"].items()
            )
            print(
                f"{target:<12} {mode:<8} {figures['tracked']:>8,} {figures['rate']:>7,.0f}  {gens}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
