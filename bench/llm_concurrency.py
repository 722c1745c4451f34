"""LLM engine under load against dev/fake_llm.py: throughput, latency, peak in flight.

    .venv/bin/python bench/llm_concurrency.py [--requests 200] [--latency-ms 100]

Runs cold (every text new) and warm (the same texts again: cache hits), from 32 threads at
once, all sharing one MAX_PARALLEL limit. Prints figures only.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core import engines  # noqa: E402
from core.settings import load_settings  # noqa: E402
from tests.utils.llm import configure_fake, fake_llm_server, fake_stats  # noqa: E402

CRITERIA = ["clarity", "testability", "measurability", "atomicity"]


def _timed_sync(text: str, settings: object) -> float:
    started = time.perf_counter()
    engines.assess(text, criteria=CRITERIA, language="en", settings=settings)  # type: ignore[arg-type]
    return time.perf_counter() - started


def _round(texts: list[str], settings: object) -> tuple[float, list[float]]:
    """Every text from its own thread of a pool of 32, concurrently."""
    started = time.perf_counter()
    with ThreadPoolExecutor(32) as pool:
        latencies = list(pool.map(lambda t: _timed_sync(t, settings), texts))
    return time.perf_counter() - started, latencies


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--latency-ms", type=float, default=100)
    parser.add_argument("--max-parallel", type=int, default=4)
    args = parser.parse_args()
    texts = [f"Requirement {i}: the portal should be fast." for i in range(args.requests)]
    with fake_llm_server() as url, tempfile.TemporaryDirectory() as tmp:
        configure_fake(url, latency_ms=args.latency_ms)
        settings = load_settings(
            _env_file=None,
            mock_mode=False,
            openai_base_url=f"{url}/v1",
            max_parallel=args.max_parallel,
            sqlite_path=Path(tmp) / "x.db",
        )
        ideal = args.requests * args.latency_ms / 1000 / args.max_parallel
        for label in ("cold", "warm"):
            wall, latencies = _round(texts, settings)
            cuts = statistics.quantiles(latencies, n=100)
            print(
                f"{label}: {args.requests} evaluations in {wall:.2f} s "
                f"({args.requests / wall:.0f}/s; ideal cold {ideal:.2f} s), "
                f"p50 {cuts[49] * 1000:.0f} ms, p99 {cuts[98] * 1000:.0f} ms"
            )
        stats = fake_stats(url)
        print(
            f"upstream calls {stats['completions']}, peak in flight {stats['peak_in_flight']} "
            f"(MAX_PARALLEL={args.max_parallel})"
        )


if __name__ == "__main__":
    main()
