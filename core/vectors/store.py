"""The knowledge base's Qdrant collection: create, check, write, search, reassemble, reset.

The collection holds, per chunk, a sparse vector `sparse` (BM25 weights, IDF by Qdrant)
and, only when a dense provider is configured, a dense vector `dense`; its metadata names
the provider and model. Opening a collection built otherwise is a Conflict (409): the
vectors of one provider cannot be searched with another's, and nothing here drops data to
fix that; the migration tool (dev/qdrant_migrate.py) re-embeds into a new collection.

Search is one `query_points` call: with a dense vector, prefetches of both vectors fused
by reciprocal rank (RRF); without, the sparse vector alone. When the provider cannot embed
the query (down, or its circuit open), search answers from the sparse vector alone and says
so (`Found.degraded`) rather than failing: every point has its sparse vector.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from qdrant_client import models

from core.exceptions import Conflict, Unavailable
from core.metrics import SEARCH_DEGRADED
from core.settings import Settings
from core.vectors import _lexical
from core.vectors._chunking import Chunk
from core.vectors._client import Connection, calls, connect
from core.vectors._embeddings import (
    BATCH,
    ProviderChoice,
    QueryEmbedder,
    check_circuit,
    choose_provider,
)

SPARSE, DENSE = "sparse", "dense"
POINT_NAMESPACE = uuid.UUID("6f1c3e1a-2b7d-4c55-9a0e-5d1b0c9e7a42")
MIGRATE_HINT = "migrate with dev/qdrant_migrate.py (reembed) or set QDRANT_COLLECTION to a new name"
SCROLL_PAGE = 256
UPSERT_BATCH = 256  # points per upsert: one step of an ingest's progress
Step = Literal["embedded", "upserted"]
# Metadata key the migration tool's switch sets on a collection it re-embedded elsewhere.
SUPERSEDED_BY = "supersededBy"


@dataclass(frozen=True, slots=True)
class Hit:
    id: str
    score: float
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Degraded:
    """Why a hybrid search answered from the sparse vector alone: the 503 it avoided."""

    message: str
    retry_after_s: int | None


@dataclass(frozen=True, slots=True)
class Found:
    hits: list[Hit]
    degraded: Degraded | None = None


def point_id(source: str, index: int) -> str:
    """Deterministic, so re-ingesting a source overwrites its chunks in place."""
    return str(uuid.uuid5(POINT_NAMESPACE, f"{source}\x00{index}"))


class VectorStore:
    """The configured collection on the configured Qdrant, with the configured provider."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._connection: Connection | None = None
        self.collection = settings.qdrant_collection
        self.provider: ProviderChoice = choose_provider(settings)
        self.chunk_tokens = settings.chunk_tokens

    @property
    def connection(self) -> Connection:
        """Connected on first use (so an app that never searches never takes the embedded
        path's lock), and again after close_clients closed it (a restart in-process)."""
        if self._connection is None or self._connection.closed:
            self._connection = connect(self._settings)
        return self._connection

    @property
    def qdrant_port(self) -> int | None:
        """The server's port (the original's `qdrantPort`); None in embedded mode."""
        return None if self._settings.qdrant_url is None else self.connection.port

    @property
    def embedded(self) -> bool:
        return self._settings.qdrant_url is None

    @contextmanager
    def _calls(self) -> Iterator[None]:
        with calls(self.connection):
            yield

    def wanted(self) -> dict[str, Any]:
        """The provider, model and dimension the collection must have been built for."""
        embedder = self.provider.embedder
        if embedder is None:
            return {"provider": "none", "model": None, "dim": None}
        return {"provider": embedder.name, "model": embedder.model, "dim": embedder.dim}

    def ensure_collection(self) -> None:
        """Create the collection on first use; 409 when it was built for another provider.

        Checked on every call, not once per process: another worker or replica may have
        reset (deleted) the collection or rebuilt it for another provider since.
        """
        wanted = self.wanted()
        with self._calls():
            client = self.connection.client
            if not client.collection_exists(self.collection):
                dense = {}
                if wanted["dim"] is not None:
                    dense = {
                        DENSE: models.VectorParams(
                            size=wanted["dim"], distance=models.Distance.COSINE
                        )
                    }
                client.create_collection(
                    self.collection,
                    vectors_config=dense,
                    sparse_vectors_config={
                        SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)
                    },
                    metadata=wanted,
                )
            else:
                self._check(client.get_collection(self.collection), wanted)

    def _check(self, info: models.CollectionInfo, wanted: dict[str, Any]) -> None:
        found = built_for(info, wanted)
        if found != wanted:
            successor = (info.config.metadata or {}).get(SUPERSEDED_BY)
            hint = f"set QDRANT_COLLECTION={successor}" if successor else MIGRATE_HINT
            raise Conflict(
                f"collection {self.collection} holds vectors of {_describe(found)}, but"
                f" EMBEDDINGS_PROVIDER gives {_describe(wanted)}; {hint}",
                {"collection": self.collection, "existing": found, "configured": wanted},
            )

    def check_writable(self) -> None:
        """What an ingest can check before it starts: the collection (409, 503) and the
        embeddings provider's circuit (503 while open)."""
        self.ensure_collection()
        check_circuit(self._settings)

    def write_source(
        self, source: str, chunks: list[Chunk], payloads: list[dict[str, Any]]
    ) -> Iterator[tuple[Step, int]]:
        """Write the source's chunks as points 0..n-1 and delete its older points beyond n,
        yielding after each batch of embeddings and of upserts the chunks done so far.

        Every chunk is embedded before the first upsert, so a provider that fails leaves the
        source as it was. Qdrant failing between two upserts leaves it partly replaced; the
        same upload again repairs it (the point ids are deterministic).
        """
        self.ensure_collection()  # a 409 before paying for embeddings
        texts = [chunk.text for chunk in chunks]
        dense: list[list[float]] = []
        embedder = self.provider.embedder
        if embedder is not None:
            for first in range(0, len(texts), BATCH):
                dense += embedder.embed(texts[first : first + BATCH])
                yield "embedded", len(dense)
        ids = [point_id(source, index) for index in range(len(texts))]
        points = self._points(ids, texts, payloads, dense if embedder is not None else None)
        stale = _of_source(
            source, models.FieldCondition(key="chunkIndex", range=models.Range(gte=len(points)))
        )
        batches = [points[i : i + UPSERT_BATCH] for i in range(0, len(points), UPSERT_BATCH)]
        done = 0
        for batch in batches or [[]]:
            with self._calls():
                self.ensure_collection()  # again under the lock: a reset may have run meanwhile
                client = self.connection.client
                client.upsert(self.collection, points=batch, wait=True)
                done += len(batch)
                if done == len(points):
                    client.delete(
                        self.collection, points_selector=models.FilterSelector(filter=stale)
                    )
            yield "upserted", done

    def put(self, ids: Sequence[int | str], payloads: list[dict[str, Any]]) -> int:
        """Write points under these ids with these payloads, their vectors computed from
        each payload's `text`: how the migration tool re-embeds a collection."""
        self.ensure_collection()
        texts = [str(payload["text"]) for payload in payloads]
        embedder = self.provider.embedder
        dense = None if embedder is None or not texts else embedder.embed(texts)
        points = self._points(ids, texts, payloads, dense)
        with self._calls():
            self.ensure_collection()
            self.connection.client.upsert(self.collection, points=points, wait=True)
        return len(points)

    def _points(
        self,
        ids: Sequence[int | str],
        texts: list[str],
        payloads: list[dict[str, Any]],
        dense: list[list[float]] | None,
    ) -> list[models.PointStruct]:
        return [
            models.PointStruct(
                id=key,
                vector=self._vectors(text, None if dense is None else dense[index]),
                payload=payloads[index],
            )
            for index, (key, text) in enumerate(zip(ids, texts, strict=True))
        ]

    def _vectors(self, text: str, dense: list[float] | None) -> dict[str, Any]:
        indices, values = _lexical.document_vector(text, avg_len=self.chunk_tokens)
        vectors: dict[str, Any] = {SPARSE: models.SparseVector(indices=indices, values=values)}
        if dense is not None:
            vectors[DENSE] = dense
        return vectors

    def search(self, query: str, *, top_k: int, source: str | None = None) -> Found:
        """The best `top_k` chunks for the query, hybrid (RRF) when a dense vector exists."""
        indices, values = _lexical.query_vector(query)
        sparse = models.SparseVector(indices=indices, values=values)
        where = _of_source(source) if source else None
        dense, degraded = self._query_dense(query)
        with self._calls():
            self.ensure_collection()  # under the same lock as the query: no reset in between
            client = self.connection.client
            if dense is None:
                if not indices:
                    return Found([], degraded)
                answer = client.query_points(
                    self.collection,
                    query=sparse,
                    using=SPARSE,
                    query_filter=where,
                    limit=top_k,
                    with_payload=True,
                )
            else:
                prefetch = [
                    models.Prefetch(query=sparse, using=SPARSE, filter=where, limit=top_k * 4),
                    models.Prefetch(query=dense, using=DENSE, filter=where, limit=top_k * 4),
                ]
                answer = client.query_points(
                    self.collection,
                    prefetch=prefetch,
                    query=models.FusionQuery(fusion=models.Fusion.RRF),
                    limit=top_k,
                    with_payload=True,
                )
        return Found(
            [Hit(str(p.id), p.score, dict(p.payload or {})) for p in answer.points], degraded
        )

    def _query_dense(self, query: str) -> tuple[list[float] | None, Degraded | None]:
        """The query's dense vector; none, and why, when the provider cannot give it."""
        embedder = self.provider.embedder
        if embedder is None:
            return None, None
        try:
            if isinstance(embedder, QueryEmbedder):  # E5: queries get their own prefix
                return embedder.embed_query([query])[0], None
            return embedder.embed([query])[0], None
        except Unavailable as exc:
            SEARCH_DEGRADED.inc()
            retry = exc.headers.get("Retry-After")
            return None, Degraded(exc.message, None if retry is None else int(retry))

    def source_chunks(self, source: str) -> list[dict[str, Any]]:
        """The payloads of the source's chunks in chunk order."""
        payloads: list[dict[str, Any]] = []
        offset: Any = None
        with self._calls():
            self.ensure_collection()
            while True:
                points, offset = self.connection.client.scroll(
                    self.collection,
                    scroll_filter=_of_source(source),
                    limit=SCROLL_PAGE,
                    offset=offset,
                    with_payload=True,
                    with_vectors=False,
                )
                payloads += [dict(point.payload or {}) for point in points]
                if offset is None:
                    break
        return sorted(payloads, key=lambda payload: int(payload["chunkIndex"]))

    def collections(self) -> list[tuple[str, int]]:
        """Every collection on this Qdrant with its number of points."""
        with self._calls():
            client = self.connection.client
            names = sorted(c.name for c in client.get_collections().collections)
            return [(name, client.count(name, exact=True).count) for name in names]

    def count(self) -> int | None:
        """Points in the configured collection; None while it does not exist (a probe)."""
        with self._calls():
            client = self.connection.client
            if not client.collection_exists(self.collection):
                return None
            return client.count(self.collection, exact=True).count

    def reset(self) -> int:
        """Delete the collection and every point in it; the number of points it held."""
        with self._calls():
            client = self.connection.client
            held = 0
            if client.collection_exists(self.collection):
                held = client.count(self.collection, exact=True).count
                client.delete_collection(self.collection)
        return held

    def delete_older_than(self, hours: int, *, now: datetime) -> None:
        """Delete chunks ingested more than `hours` ago (VECTOR_RETENTION_H)."""
        cutoff = now - timedelta(hours=hours)
        old = models.Filter(
            must=[models.FieldCondition(key="createdAt", range=models.DatetimeRange(lt=cutoff))]
        )
        with self._calls():
            client = self.connection.client
            if client.collection_exists(self.collection):
                client.delete(self.collection, points_selector=models.FilterSelector(filter=old))


def built_for(info: models.CollectionInfo, wanted: dict[str, Any]) -> dict[str, Any]:
    """The provider, model and dimension the collection was built for, in the shape of
    `VectorStore.wanted()`, so that the two compare."""
    vectors = info.config.params.vectors
    dense = vectors.get(DENSE) if isinstance(vectors, dict) else None
    found = {
        "provider": (info.config.metadata or {}).get("provider"),
        "model": (info.config.metadata or {}).get("model"),
        "dim": dense.size if dense is not None else None,
    }
    if found["provider"] is None:  # built by something else: judge by the vectors alone
        found["provider"], found["model"] = wanted["provider"], wanted["model"]
    return found


def _of_source(source: str, *more: models.FieldCondition) -> models.Filter:
    match = models.FieldCondition(key="sourceFile", match=models.MatchValue(value=source))
    return models.Filter(must=[match, *more])


def _describe(config: dict[str, Any]) -> str:
    if config["provider"] == "none":
        return "provider none (sparse only)"
    return f"provider {config['provider']} model {config['model']} ({config['dim']} dimensions)"


def reassemble(payloads: list[dict[str, Any]]) -> str:
    """The source's text from its chunks in order: each chunk's overlap with the one before
    cut off (by the character offsets stored with it), pages separated by a blank line."""
    parts: list[str] = []
    page: object = object()
    end = 0
    for payload in payloads:
        text, start = str(payload["text"]), int(payload["charStart"])
        if payload.get("pageNo") != page:
            if parts:
                parts.append("\n\n")
            page, end = payload.get("pageNo"), start
        elif start > end:
            parts.append(" ")
        parts.append(text[max(0, end - start) :])
        end = max(end, int(payload["charEnd"]))
    return "".join(parts)
