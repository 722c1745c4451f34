"""Python bytecodes per request on v2 alone (or another target of bench/hot_path.py),
counted by tracing every thread: a count that is the same from run to run, in seconds, for
the pieces callgrind sums over minutes.

v2's Python work only: what C does (sqlite3, the regex engine, pydantic-core, the kernel's
thread switches) is not counted, so compare trees with it, and confirm the whole with
`bench/hot_path.py --callgrind`. Same request, settings and database as hot_path.py.

- default: the whole POST /api/v1/evaluations;
- `--framework`: the same route with its core work replaced by a fixed answer, run inline
  (middleware, routing, the body, the response: what v2 itself adds);
- `--top N`: the N functions that ran the most bytecodes.

- `--target gateway-v2|gateway-v1`: the same request through the gateway (`--framework`
  replaces v2's core work only).

A gateway target is quiet (bench/hot_path.py): its batches are handled when full, as under
load, not every 0.25 s, which under the tracer came every few requests.

Usage: python bench/v2_bytecodes.py [--target v2] [--framework] [--requests 256] [--top 30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import threading
from collections import Counter
from contextlib import redirect_stderr
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import app_v2.routers.evaluations  # noqa: E402
from app_v2.sync_work import JsonBytes  # noqa: E402
from bench.hot_path import CASES, TARGETS, build_targets, quiet, scope_of, serve  # noqa: E402
from core.logging import configure_logging  # noqa: E402
from gateway.metrics import FLUSH_EVERY  # noqa: E402
from gateway.middleware.request_context import ACCESS_LINE  # noqa: E402

Tracer = Any  # sys.settrace's callback type is not public
# Whole batches of the gateway's metrics and access lines (quiet: full batches only), in the
# warm-up and, with the default --requests, in the count.
WARM_UP = FLUSH_EVERY


class Bytecodes:
    """Counts the bytecodes every thread runs while on (threads started later included)."""

    def __init__(self, per_function: bool) -> None:
        self.on = False
        self.total = 0
        self.functions: Counter[str] = Counter()
        self.per_function = per_function

    def _opcode(self, frame: FrameType, event: str, _arg: object) -> Tracer:
        if event == "opcode" and self.on:
            self.total += 1
            if self.per_function:
                code = frame.f_code
                self.functions[
                    f"{code.co_filename.split('site-packages/')[-1]}:{code.co_name}"
                ] += 1
        return self._opcode

    def _call(self, frame: FrameType, _event: str, _arg: object) -> Tracer:
        frame.f_trace_opcodes = True
        return self._opcode

    def install(self) -> None:
        threading.settrace(self._call)
        sys.settrace(self._call)

    def remove(self) -> None:
        sys.settrace(None)
        threading.settrace(None)  # type: ignore[arg-type]


async def fixed_answer(work: object, *, db: object) -> JsonBytes:
    return JsonBytes(b'{"ok":true}')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", choices=TARGETS, default="v2")
    parser.add_argument("--framework", action="store_true", help="core work replaced")
    parser.add_argument("--requests", type=int, default=FLUSH_EVERY)
    parser.add_argument("--top", type=int, default=0, help="list the N costliest functions")
    args = parser.parse_args()
    if args.framework:
        app_v2.routers.evaluations.answer = fixed_answer  # type: ignore[assignment]
    counter = Bytecodes(per_function=args.top > 0)
    counter.install()  # before any worker thread starts, so that each is traced
    shm = "/dev/shm" if os.path.isdir("/dev/shm") else None
    with tempfile.TemporaryDirectory(dir=shm) as tmp, open(os.devnull, "w") as log:
        with redirect_stderr(log):
            configure_logging("INFO", "json")
        app = build_targets(Path(tmp), [args.target])[args.target]
        if args.target.startswith("gateway"):
            quiet(app)
        method, path, payload = CASES["evaluation"]
        body = json.dumps(payload).encode()
        scope = scope_of(method, path, body)

        async def requests(n: int) -> None:
            for _ in range(n):
                if await serve(app, scope, body) != 200:
                    raise SystemExit("the evaluation did not answer 200")

        loop = asyncio.new_event_loop()
        loop.run_until_complete(requests(WARM_UP))
        counter.on = True
        loop.run_until_complete(requests(args.requests))
        counter.on = False
        counter.remove()
        loop.close()
        ACCESS_LINE.flush()  # to /dev/null, while it is open
    what = "framework path" if args.framework else "whole request"
    total = counter.total / args.requests
    print(f"{args.target} evaluation, {what}: {total:,.0f} bytecodes/request")
    for name, count in counter.functions.most_common(args.top):
        print(f"{count / args.requests:>9,.0f}  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
