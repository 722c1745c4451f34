"""Retrieval quality and speed of the knowledge base (core.vectors): sparse, dense, hybrid.

Quality: the documents in bench/data/retrieval/ (German and English specification,
glossary, standard and handbook prose written for this bench) are ingested as
POST /api/v1/files/ingest would, and the queries in queries.json (paraphrased questions,
half German, half English, four asking across the languages) are searched. Each query names
its answer by a distinctive piece of the passage that answers it; after ingest that piece
is looked up in the chunks, so the chunking settings can change. A query is answered at k
when a chunk holding the whole piece is among the first k hits; recall@5 and MRR@10 are
reported for the sparse vector alone (EMBEDDINGS_PROVIDER=none, the default), the dense
vector alone and the hybrid search of the service (RRF of both).

Speed (--scale): ingest throughput and search latency with SCALE chunks in embedded mode
(a Qdrant directory), from documents made of the bench's sentences in a seeded random order.

    .venv/bin/python bench/retrieval.py [--model M] [--chunk-tokens N] [--show]
    .venv/bin/python bench/retrieval.py --scale 10000 [--dense-scale N]

Dense and hybrid need the [semantic] extra (`make bench-retrieval` installs it); without
it only the sparse rows are printed.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from core.settings import Settings, load_settings, local_model_installed  # noqa: E402
from core.vectors import Upload, VectorStore, close_clients, ingest  # noqa: E402
from core.vectors._embeddings import QueryEmbedder  # noqa: E402
from core.vectors.store import DENSE, point_id  # noqa: E402

DATA = ROOT / "bench" / "data" / "retrieval"
RECALL_AT, MRR_AT = 5, 10
SENTENCE = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True, slots=True)
class Query:
    lang: str
    text: str
    answer: str  # a piece of the answering passage, found exactly once in the documents
    cross_lingual: bool


@dataclass(frozen=True, slots=True)
class Score:
    recall: float  # share of queries answered in the first RECALL_AT hits
    mrr: float  # mean of 1/rank of the first answering hit within MRR_AT (0 when none)
    n: int


def documents() -> list[Path]:
    return sorted(DATA.glob("*.md"))


def queries() -> list[Query]:
    rows = json.loads((DATA / "queries.json").read_text(encoding="utf-8"))
    return [Query(r["lang"], r["query"], r["answer"], r.get("crossLingual", False)) for r in rows]


def normalise(text: str) -> str:
    """Whitespace collapsed: a piece may cross a line break of the document."""
    return " ".join(text.split())


def settings_for(provider: str, *, model: str, chunk_tokens: int, path: str) -> Settings:
    overlap = min(32, chunk_tokens // 8)
    return load_settings(
        embeddings_provider=provider,
        embeddings_local_model=model,
        chunk_tokens=chunk_tokens,
        chunk_overlap_tokens=overlap,
        qdrant_path=path,
        qdrant_collection="bench",
    )


def ingest_files(store: VectorStore, settings: Settings, files: list[tuple[str, bytes]]) -> int:
    uploads = [Upload(name, data) for name, data in files]
    report = ingest(
        store,
        uploads=uploads,
        chunk_tokens=settings.chunk_tokens,
        overlap_tokens=settings.chunk_overlap_tokens,
    )
    return report.chunks


def bench_files() -> list[tuple[str, bytes]]:
    return [(path.name, path.read_bytes()) for path in documents()]


def chunk_index(store: VectorStore) -> dict[str, str]:
    """Point id -> the chunk's text (whitespace collapsed), for every bench document."""
    chunks: dict[str, str] = {}
    for path in documents():
        for payload in store.source_chunks(path.name):
            chunks[point_id(path.name, int(payload["chunkIndex"]))] = normalise(payload["text"])
    return chunks


def resolve(rows: list[Query], chunks: dict[str, str]) -> list[set[str]]:
    """Per query the chunks that hold its whole answer piece (two when the piece lies in
    the overlap of neighbours); ValueError when a piece is not exactly once in the
    documents or lies across a cut."""
    corpus = [normalise(path.read_text(encoding="utf-8")) for path in documents()]
    relevant = []
    for row in rows:
        piece = normalise(row.answer)
        found = sum(text.count(piece) for text in corpus)
        if found != 1:
            raise ValueError(f"{row.text!r}: its answer is {found} times in the documents")
        ids = {point for point, text in chunks.items() if piece in text}
        if not ids:
            raise ValueError(f"{row.text!r}: its answer lies across two chunks")
        relevant.append(ids)
    return relevant


Ranker = Callable[[str, int], list[str]]


def score(rows: list[Query], relevant: list[set[str]], rank: Ranker) -> Score:
    recall = mrr = 0.0
    for row, ids in zip(rows, relevant, strict=True):
        top = rank(row.text, MRR_AT)
        mrr += next((1 / (i + 1) for i, point in enumerate(top) if point in ids), 0.0)
        # recall from a search of its own size: the hybrid's prefetches grow with top_k
        recall += any(point in ids for point in rank(row.text, RECALL_AT))
    return Score(recall / len(rows), mrr / len(rows), len(rows))


def product_ranker(store: VectorStore) -> Ranker:
    """The service's own search (store.search): sparse alone or the hybrid RRF."""
    return lambda text, k: [hit.id for hit in store.search(text, top_k=k).hits]


def query_vector(store: VectorStore, text: str) -> list[float]:
    embedder = store.provider.embedder
    assert embedder is not None
    if isinstance(embedder, QueryEmbedder):
        return embedder.embed_query([text])[0]
    return embedder.embed([text])[0]


def dense_ranker(store: VectorStore) -> Ranker:
    """The dense vector alone: one query_points on the store's collection."""

    def rank(text: str, k: int) -> list[str]:
        client = store.connection.client
        answer = client.query_points(
            store.collection, query=query_vector(store, text), using=DENSE, limit=k
        )
        return [str(point.id) for point in answer.points]

    return rank


def subsets(rows: list[Query]) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = {"all": list(range(len(rows)))}
    for i, row in enumerate(rows):
        key = "cross" if row.cross_lingual else row.lang
        groups.setdefault(key, []).append(i)
    return groups


def quality(model: str, chunk_tokens: int, *, show: bool) -> dict[str, dict[str, Score]]:
    """Scores per mode and per query group (all, de, en, cross)."""
    rows = queries()
    sparse_settings = settings_for("none", model=model, chunk_tokens=chunk_tokens, path=":memory:")
    sparse = VectorStore(sparse_settings)
    n = ingest_files(sparse, sparse_settings, bench_files())
    relevant = resolve(rows, chunk_index(sparse))
    rankers: dict[str, Ranker] = {"sparse": product_ranker(sparse)}
    if local_model_installed(model):
        dense_settings = settings_for(
            "local", model=model, chunk_tokens=chunk_tokens, path=":memory:"
        )
        hybrid = VectorStore(dense_settings)
        ingest_files(hybrid, dense_settings, bench_files())
        rankers |= {"dense": dense_ranker(hybrid), "hybrid": product_ranker(hybrid)}
    print(f"{len(rows)} queries, {n} chunks of {chunk_tokens} tokens, model {model}")
    results: dict[str, dict[str, Score]] = {}
    for mode, rank in rankers.items():
        results[mode] = {}
        for group, index in subsets(rows).items():
            picked = [rows[i] for i in index]
            results[mode][group] = score(picked, [relevant[i] for i in index], rank)
        if show:
            _show_misses(mode, rows, relevant, rank)
    return results


def _show_misses(mode: str, rows: list[Query], relevant: list[set[str]], rank: Ranker) -> None:
    for row, ids in zip(rows, relevant, strict=True):
        if not any(point in ids for point in rank(row.text, RECALL_AT)):
            print(f"  MISS {mode:<6} [{row.lang}] {row.text}")


def print_quality(results: dict[str, dict[str, Score]]) -> None:
    groups = list(next(iter(results.values())))
    sizes = {group: score.n for group, score in results["sparse"].items()}
    head = "".join(f"{f'{g} (n={sizes[g]})':>22}" for g in groups)
    print(f"{'mode':<8}{head}")
    print(f"{'':<8}" + "".join(f"{'recall@5   MRR@10':>22}" for _ in groups))
    for mode, by_group in results.items():
        cells = "".join(f"{s.recall:>12.3f}{s.mrr:>10.3f}" for s in by_group.values())
        print(f"{mode:<8}{cells}")


def synthetic_files(n_chunks: int, chunk_tokens: int) -> list[tuple[str, bytes]]:
    """Documents of the bench's sentences in a seeded random order, about 20 chunks each,
    n_chunks in all (a little more: the last chunk of each is short)."""
    sentences = [
        s
        for path in documents()
        for s in SENTENCE.split(normalise(path.read_text(encoding="utf-8")))
    ]
    rng = random.Random(13)
    per_doc = 20 * (chunk_tokens - min(32, chunk_tokens // 8))
    files, words = [], 0
    while words < n_chunks * (chunk_tokens - min(32, chunk_tokens // 8)):
        picked: list[str] = []
        size = 0
        while size < per_doc:
            sentence = rng.choice(sentences)
            picked.append(sentence)
            size += len(re.findall(r"\w+|[^\w\s]", sentence))
        files.append((f"synthetic-{len(files):05d}.md", " ".join(picked).encode()))
        words += size
    return files


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def scale(provider: str, model: str, n_chunks: int, chunk_tokens: int) -> dict[str, Any]:
    """Ingest about n_chunks in embedded mode; chunks/s, then search latency p50/p95."""
    files = synthetic_files(n_chunks, chunk_tokens)
    with tempfile.TemporaryDirectory() as path:
        settings = settings_for(provider, model=model, chunk_tokens=chunk_tokens, path=path)
        store = VectorStore(settings)
        started = time.perf_counter()
        chunks = sum(
            ingest_files(store, settings, files[i : i + 10]) for i in range(0, len(files), 10)
        )
        seconds = time.perf_counter() - started
        rows = queries()
        for row in rows[:5]:  # warm up
            store.search(row.text, top_k=RECALL_AT)
        latencies, embedding = [], []
        for row in rows * 2:
            begun = time.perf_counter()
            store.search(row.text, top_k=RECALL_AT)
            latencies.append((time.perf_counter() - begun) * 1000)
            if store.provider.embedder is not None:  # the model's share of that search
                begun = time.perf_counter()
                query_vector(store, row.text)
                embedding.append((time.perf_counter() - begun) * 1000)
        close_clients()  # releases the directory's lock before it is removed
    return {
        "provider": provider if provider == "none" else model,
        "chunks": chunks,
        "chunks_per_s": chunks / seconds,
        "p50_ms": statistics.median(latencies),
        "p95_ms": percentile(latencies, 0.95),
        "searches": len(latencies),
        "query_embedding_p50_ms": statistics.median(embedding) if embedding else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="multilingual-e5-small")
    parser.add_argument("--chunk-tokens", type=int, default=256)
    parser.add_argument("--show", action="store_true", help="print the queries each mode misses")
    parser.add_argument("--scale", type=int, default=0, help="chunks for the speed part (0: skip)")
    parser.add_argument(
        "--dense-scale", type=int, default=None, help="chunks for the dense speed part (--scale)"
    )
    parser.add_argument("--skip-quality", action="store_true")
    args = parser.parse_args()
    if not args.skip_quality:
        print_quality(quality(args.model, args.chunk_tokens, show=args.show))
    runs = [("none", args.scale)]
    if local_model_installed(args.model):
        runs.append(("local", args.scale if args.dense_scale is None else args.dense_scale))
    for provider, n in runs:
        if n:
            figures = scale(provider, args.model, n, args.chunk_tokens)
            print(
                f"scale {figures['provider']}: {figures['chunks']} chunks, "
                f"ingest {figures['chunks_per_s']:.1f} chunks/s, search p50 "
                f"{figures['p50_ms']:.1f} ms p95 {figures['p95_ms']:.1f} ms "
                f"({figures['searches']} searches)"
            )
            embedding = figures["query_embedding_p50_ms"]
            if embedding is not None:
                print(f"  embedding a query alone: p50 {embedding:.1f} ms")


if __name__ == "__main__":
    main()
