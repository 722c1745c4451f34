"""The knowledge base's Qdrant collection: create, check, write, search, reassemble, reset.

The collection holds, per chunk, a sparse vector `sparse` (BM25 weights, IDF by Qdrant)
and, only when a dense provider is configured, a dense vector `dense`; its metadata names
the provider and model. Opening a collection built otherwise is a Conflict (409): the
vectors of one provider cannot be searched with another's, and nothing here drops data to
fix that; the migration tool (dev/qdrant_migrate.py) re-embeds into a new collection.

Search is one `query_points` call: with a dense vector, prefetches of both vectors fused
by reciprocal rank (RRF); without, the sparse vector alone.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from qdrant_client import models
from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse

from core.exceptions import Conflict, Unavailable
from core.settings import Settings
from core.vectors import _lexical
from core.vectors._chunking import Chunk
from core.vectors._client import Connection, connect
from core.vectors._embeddings import ProviderChoice, QueryEmbedder, choose_provider

SPARSE, DENSE = "sparse", "dense"
POINT_NAMESPACE = uuid.UUID("6f1c3e1a-2b7d-4c55-9a0e-5d1b0c9e7a42")
MIGRATE_HINT = "migrate with dev/qdrant_migrate.py (reembed) or set QDRANT_COLLECTION to a new name"
SCROLL_PAGE = 256


@dataclass(frozen=True, slots=True)
class Hit:
    id: str
    score: float
    payload: dict[str, Any]


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
        """Qdrant errors as Unavailable (503), the one place they are translated."""
        try:
            with self.connection.lock:  # re-entrant: a call may ensure the collection inside
                yield
        except (ResponseHandlingException, UnexpectedResponse) as exc:
            raise Unavailable("the vector store is unavailable", retry_after_s=5) from exc

    def _wanted(self) -> dict[str, Any]:
        embedder = self.provider.embedder
        if embedder is None:
            return {"provider": "none", "model": None, "dim": None}
        return {"provider": embedder.name, "model": embedder.model, "dim": embedder.dim}

    def ensure_collection(self) -> None:
        """Create the collection on first use; 409 when it was built for another provider.

        Checked on every call, not once per process: another worker or replica may have
        reset (deleted) the collection or rebuilt it for another provider since.
        """
        wanted = self._wanted()
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
        vectors = info.config.params.vectors
        dense = vectors.get(DENSE) if isinstance(vectors, dict) else None
        found = {
            "provider": (info.config.metadata or {}).get("provider"),
            "model": (info.config.metadata or {}).get("model"),
            "dim": dense.size if dense is not None else None,
        }
        if found["provider"] is None:  # built by something else: judge by the vectors alone
            found["provider"], found["model"] = wanted["provider"], wanted["model"]
        if found != wanted:
            raise Conflict(
                f"collection {self.collection} holds vectors of {_describe(found)}, but"
                f" EMBEDDINGS_PROVIDER gives {_describe(wanted)}; {MIGRATE_HINT}",
                {"collection": self.collection, "existing": found, "configured": wanted},
            )

    def replace_source(
        self, source: str, chunks: list[Chunk], payloads: list[dict[str, Any]]
    ) -> int:
        """Write the source's chunks as points 0..n-1 and delete its older points beyond n."""
        self.ensure_collection()  # a 409 before paying for embeddings
        dense = self._dense([chunk.text for chunk in chunks])
        points = [
            models.PointStruct(
                id=point_id(source, index),
                vector=self._vectors(chunk.text, None if dense is None else dense[index]),
                payload=payloads[index],
            )
            for index, chunk in enumerate(chunks)
        ]
        with self._calls():
            self.ensure_collection()  # again under the lock: a reset may have run meanwhile
            client = self.connection.client
            client.upsert(self.collection, points=points, wait=True)
            stale = _of_source(
                source, models.FieldCondition(key="chunkIndex", range=models.Range(gte=len(points)))
            )
            client.delete(self.collection, points_selector=models.FilterSelector(filter=stale))
        return len(points)

    def _dense(self, texts: list[str], *, query: bool = False) -> list[list[float]] | None:
        embedder = self.provider.embedder
        if embedder is None or not texts:
            return None
        if query and isinstance(embedder, QueryEmbedder):
            return embedder.embed_query(texts)
        return embedder.embed(texts)

    def _vectors(self, text: str, dense: list[float] | None) -> dict[str, Any]:
        indices, values = _lexical.document_vector(text, avg_len=self.chunk_tokens)
        vectors: dict[str, Any] = {SPARSE: models.SparseVector(indices=indices, values=values)}
        if dense is not None:
            vectors[DENSE] = dense
        return vectors

    def search(self, query: str, *, top_k: int, source: str | None = None) -> list[Hit]:
        """The best `top_k` chunks for the query, hybrid (RRF) when a dense vector exists."""
        indices, values = _lexical.query_vector(query)
        sparse = models.SparseVector(indices=indices, values=values)
        where = _of_source(source) if source else None
        dense = self._dense([query], query=True)
        with self._calls():
            self.ensure_collection()  # under the same lock as the query: no reset in between
            client = self.connection.client
            if dense is None:
                if not indices:
                    return []
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
                    models.Prefetch(query=dense[0], using=DENSE, filter=where, limit=top_k * 4),
                ]
                answer = client.query_points(
                    self.collection,
                    prefetch=prefetch,
                    query=models.FusionQuery(fusion=models.Fusion.RRF),
                    limit=top_k,
                    with_payload=True,
                )
        return [Hit(str(p.id), p.score, dict(p.payload or {})) for p in answer.points]

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
