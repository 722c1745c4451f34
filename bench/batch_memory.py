"""Memory under large batches (issue 12, acceptance 4): four concurrent ~1 MiB, 1,000-row
`POST /api/v1/batch/evaluate` requests against a real gateway process.

Target: the server's peak RSS stays under 400 MB. The gateway runs as `reqgate serve` (one
uvicorn process, SQLite in a temporary directory, the heuristic engine); the tables come
from dev/requirement_rows.py (varied EN and DE rows, deterministic, one seed per client),
sent as text/markdown just under MAX_BODY_BYTES. While they run, the server's RSS is
sampled every 50 ms from /proc (psutil is not a dependency) and /livez is timed every
200 ms; the peak is the kernel's high-water mark (VmHWM), which no sampling can miss.

With MAX_CONCURRENT_BATCHES below the number of clients the extra batches are refused
(503, Retry-After): they are counted and shown, and the same batches are then sent one
after another to a fresh server, so every batch is measured once admitted.

Usage: python bench/batch_memory.py [--rows 1000] [--clients 4] [--limit N] [--variant v1|v2]
Exit code 1 when the peak RSS of a phase reaches --max-rss-mb (400).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dev.processes import free_port, running  # noqa: E402
from dev.requirement_rows import requirements_table  # noqa: E402

MAX_BODY_BYTES = 1024 * 1024
MARKDOWN = {"Content-Type": "text/markdown; charset=utf-8"}


@dataclass
class Reply:
    status: int
    size: int
    seconds: float
    note: str = ""


@dataclass
class Phase:
    replies: list[Reply] = field(default_factory=list)
    livez_ms: list[float] = field(default_factory=list)
    sampled_mb: list[float] = field(default_factory=list)
    baseline_mb: float = 0.0
    peak_mb: float = 0.0
    wall_s: float = 0.0


def _status_mb(pid: int, key: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {key} for {pid}")


def table_body(rows: int, seed: int) -> bytes:
    """The largest table of `rows` rows with up to 1,000 characters each under the limit."""
    row_chars = 1000
    while True:
        body = requirements_table(rows, row_chars=row_chars, seed=seed).encode()
        if len(body) <= MAX_BODY_BYTES:
            return body
        row_chars -= 10


@contextmanager
def gateway(workdir: Path, limit: int | None, variant: str) -> Iterator[tuple[str, int]]:
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "API_PORT": str(port),
        "SQLITE_PATH": str(workdir / f"bench-{port}.db"),
        "QDRANT_PATH": str(workdir / "qdrant"),
        "FEATURE_FLAG_USE_V2": str(variant == "v2").lower(),
        "LOG_LEVEL": "WARNING",
        "MOCK_MODE": "true",
    }
    if limit is not None:
        env["MAX_CONCURRENT_BATCHES"] = str(limit)
    command = [sys.executable, "-m", "cli.main", "serve"]
    url = f"http://127.0.0.1:{port}"
    with running(command, f"{url}/livez", env=env, cwd=ROOT) as process:
        yield url, process.pid


def _repeat(stop: threading.Event, every_s: float, action: Callable[[], None]) -> threading.Thread:
    def loop() -> None:
        while not stop.is_set():
            action()
            stop.wait(every_s)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    return thread


def _post(url: str, body: bytes) -> Reply:
    started = time.perf_counter()
    response = httpx.post(
        f"{url}/api/v1/batch/evaluate", content=body, headers=MARKDOWN, timeout=600
    )
    seconds = time.perf_counter() - started
    note = ""
    if response.status_code != 200:
        note = f"{response.json().get('error')}, Retry-After {response.headers.get('retry-after')}"
    return Reply(response.status_code, len(response.content), seconds, note)


def run_phase(url: str, pid: int, bodies: list[bytes], *, concurrent: bool) -> Phase:
    phase = Phase(baseline_mb=_status_mb(pid, "VmRSS"))
    stop = threading.Event()

    def sample() -> None:
        phase.sampled_mb.append(_status_mb(pid, "VmRSS"))

    def probe() -> None:
        started = time.perf_counter()
        httpx.get(f"{url}/livez", timeout=30)
        phase.livez_ms.append((time.perf_counter() - started) * 1000)

    watchers = [_repeat(stop, 0.05, sample), _repeat(stop, 0.2, probe)]
    started = time.perf_counter()
    if concurrent:
        replies: list[Reply | None] = [None] * len(bodies)

        def client(index: int) -> None:
            replies[index] = _post(url, bodies[index])

        threads = [threading.Thread(target=client, args=(i,)) for i in range(len(bodies))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        phase.replies = [reply for reply in replies if reply is not None]
    else:
        phase.replies = [_post(url, body) for body in bodies]
    phase.wall_s = time.perf_counter() - started
    stop.set()
    for watcher in watchers:
        watcher.join()
    phase.peak_mb = _status_mb(pid, "VmHWM")
    return phase


def report(title: str, phase: Phase) -> None:
    print(f"\n## {title}")  # noqa: T201
    print(  # noqa: T201
        f"baseline RSS {phase.baseline_mb:.0f} MB, peak RSS (VmHWM) {phase.peak_mb:.0f} MB,"
        f" sampled max {max(phase.sampled_mb, default=0):.0f} MB, wall {phase.wall_s:.1f} s"
    )
    for number, reply in enumerate(phase.replies, 1):
        extra = f" ({reply.note})" if reply.note else ""
        print(  # noqa: T201
            f"  batch {number}: {reply.status} {reply.size / 1e6:.2f} MB"
            f" in {reply.seconds:.1f} s{extra}"
        )
    refused = sum(reply.status == 503 for reply in phase.replies)
    livez = sorted(phase.livez_ms) or [0.0]
    print(  # noqa: T201
        f"503s: {refused}; /livez {len(phase.livez_ms)} probes, median"
        f" {statistics.median(livez):.0f} ms, max {livez[-1]:.0f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--limit", type=int, default=None, help="MAX_CONCURRENT_BATCHES")
    parser.add_argument("--variant", choices=("v1", "v2"), default="v1")
    parser.add_argument("--max-rss-mb", type=float, default=400.0)
    args = parser.parse_args()
    bodies = [table_body(args.rows, seed) for seed in range(args.clients)]
    sizes = ", ".join(f"{len(body) / 1024:.0f} KiB" for body in bodies)
    print(f"{args.clients} x {args.rows} rows ({sizes}), variant {args.variant}")  # noqa: T201
    phases: list[Phase] = []
    with tempfile.TemporaryDirectory() as tmp:
        with gateway(Path(tmp), args.limit, args.variant) as (url, pid):
            phases.append(run_phase(url, pid, bodies, concurrent=True))
        report(
            f"{args.clients} at once (MAX_CONCURRENT_BATCHES={args.limit or 'default'})", phases[-1]
        )
        if any(reply.status == 503 for reply in phases[-1].replies):
            with gateway(Path(tmp), args.limit, args.variant) as (url, pid):
                phases.append(run_phase(url, pid, bodies, concurrent=False))
            report("the same batches one after another", phases[-1])
    return 1 if any(phase.peak_mb >= args.max_rss_mb for phase in phases) else 0


if __name__ == "__main__":
    raise SystemExit(main())
