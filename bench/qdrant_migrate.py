"""Throughput of the knowledge-base migration tool on embedded Qdrant (docs/benchmarks.md §9).

Fills an embedded Qdrant on disk (a temporary directory) with --points synthetic chunks of
256 words (CHUNK_TOKENS), then times the steps of `reqgate qdrant` through the same core
functions: export (scroll, JSON Lines), import into a new collection (the check pass over
the files, the upserts, the read-back verification) and reembed. The embedder is a fake
that costs next to nothing, so reembed's figure is the tool's own cost (sparse vectors,
upserts, verification), never a provider's. Runs sparse only (EMBEDDINGS_PROVIDER=none) and
with dense vectors of 1536 dimensions (text-embedding-3-small's size).

    .venv/bin/python bench/qdrant_migrate.py [--points 1000] [--dims 0,1536] [--dir /dev/shm]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

import core.vectors.store  # noqa: E402
from core.settings import Settings, load_settings  # noqa: E402
from core.vectors import ProviderChoice, close_clients  # noqa: E402
from core.vectors import migrate as kb  # noqa: E402

WORDS = (
    "system shall log every login within seconds operator backup encrypt rest key rotation "
    "audit export order customer invoice report daily user role admin access deny grant "
    "Anmeldung protokollieren Benutzer Rechnung Bericht täglich Zugriff verweigern Sicherung"
).split()
BATCH = 256


class FakeEmbedder:
    """Unit-free random vectors: the store normalises them (cosine), as it does real ones."""

    name, model = "fake", "fake-1"

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self._random = random.Random(7)

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        return [[self._random.random() for _ in range(self.dim)] for _ in texts]


def _use_provider(dim: int) -> None:
    """Every VectorStore built from now on gets this provider (none for dim 0)."""
    embedder = FakeEmbedder(dim) if dim else None
    choice = ProviderChoice(embedder, "fake" if dim else "none", "bench")
    core.vectors.store.choose_provider = lambda _settings: choice  # type: ignore[assignment]


def _fill(settings: Settings, points: int) -> None:
    store = kb.store_for(settings, settings.qdrant_collection)
    words = random.Random(1)
    for first in range(0, points, BATCH):
        ids = [first + n + 1 for n in range(min(BATCH, points - first))]
        payloads: list[dict[str, Any]] = [
            {"sourceFile": f"doc{i // 40}.md", "chunkIndex": i % 40, "text": _text(words)}
            for i in ids
        ]
        store.put(ids, payloads)


def _text(words: random.Random) -> str:
    return " ".join(words.choice(WORDS) for _ in range(256))


def _timed(step: Callable[[], object]) -> float:
    started = time.perf_counter()
    step()
    return time.perf_counter() - started


def _run(dim: int, points: int, work: Path) -> list[tuple[str, float]]:
    _use_provider(dim)
    settings = load_settings(_env_file=None, qdrant_path=work / f"q{dim}", qdrant_collection="kb")
    connection = kb.store_for(settings, "kb").connection
    figures = [("fill (store.put)", _timed(lambda: _fill(settings, points)))]
    out = work / f"export{dim}"
    figures.append(
        (
            "export",
            _timed(lambda: kb.export(connection, "kb", out, batch=BATCH, on_batch=lambda _n: None)),
        )
    )
    plan: list[kb.ImportPlan] = []
    figures.append(
        (
            "import: check the files",
            _timed(lambda: plan.append(kb.plan_import(connection, out, "copy", batch=BATCH))),
        )
    )
    verified: list[kb.Verification] = []
    figures.append(
        (
            "import: upsert + verify",
            _timed(
                lambda: verified.append(
                    kb.run_import(connection, plan[0], batch=BATCH, on_batch=lambda _n: None)
                )
            ),
        )
    )
    assert verified[0].ok, verified[0]
    reembed = kb.plan_reembed(settings, source="kb", target="again")
    figures.append(
        (
            "reembed (fake provider)",
            _timed(lambda: kb.reembed(settings, reembed, batch=BATCH, on_batch=lambda _n: None)),
        )
    )
    size = sum(path.stat().st_size for path in out.iterdir())
    figures.append(("export size (MB)", size / 1e6))
    close_clients()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1000)
    parser.add_argument("--dims", default="0,1536", help="dense sizes to run; 0: sparse only")
    parser.add_argument("--dir", type=Path, help="where QDRANT_PATH goes (default: a temp dir)")
    args = parser.parse_args()
    where = args.dir or tempfile.gettempdir()
    print(f"{args.points} points, batches of {BATCH}, embedded Qdrant under {where}")
    print(f"{'dense':>6} | {'step':<24} | {'seconds':>8} | {'points/s':>9}")
    with tempfile.TemporaryDirectory(dir=args.dir) as work:
        for dim in (int(value) for value in args.dims.split(",")):
            for step, value in _run(dim, args.points, Path(work)):
                if step.endswith("(MB)"):
                    print(f"{dim or '-':>6} | {step:<24} | {value:8.1f} |")
                else:
                    print(
                        f"{dim or '-':>6} | {step:<24} | {value:8.2f} | {args.points / value:9.0f}"
                    )


if __name__ == "__main__":
    main()
