"""Wire models of the knowledge-base routes (v2 only): ingest, search, collections, admin."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from core.contract.wire import WireModel


class IngestPublic(WireModel):
    """What the original system answered for an upload (qdrantPort null in embedded mode)."""

    count_files: int = Field(alias="countFiles")
    count_blocks: int = Field(alias="countBlocks")
    count_chunks: int = Field(alias="countChunks")
    upserted: int
    collection: str
    qdrant_port: int | None = Field(alias="qdrantPort")


class HitPublic(WireModel):
    id: str
    score: float
    payload: dict[str, Any] = Field(
        description="sourceFile, sourceType, sha1, createdAt, pageNo?, chunkIndex, tokenLen,"
        " charStart, charEnd, text"
    )


class DegradedPublic(WireModel):
    """Present only when a hybrid search answered from the sparse vector alone."""

    search: Literal["sparse"] = "sparse"
    reason: Literal["embeddings_unavailable"] = "embeddings_unavailable"
    message: str = Field(description="the 503 the search avoided")
    retry_after_s: int | None = Field(
        alias="retryAfterS", default=None, description="when hybrid search may work again"
    )


class SearchPublic(WireModel):
    query: str
    top_k: int = Field(alias="topK")
    collection: str
    hits: list[HitPublic]
    degraded: DegradedPublic | None = Field(
        default=None,
        description="only when the embeddings provider could not embed the query (down, or"
        " its circuit open): the hits come from the sparse lexical vector alone",
    )


class CollectionPublic(WireModel):
    name: str
    points_count: int = Field(alias="pointsCount")


class CollectionsPublic(WireModel):
    collection: str = Field(description="the collection this service reads and writes")
    items: list[CollectionPublic]


class VectorHealthPublic(WireModel):
    status: Literal["ok"]
    mode: Literal["embedded", "server"]
    collection: str
    points_count: int | None = Field(alias="pointsCount", description="null: not created yet")
    provider: str = Field(description="the embeddings provider in use: none means sparse only")
    provider_reason: str = Field(alias="providerReason")
    search: Literal["hybrid", "sparse"]


class SourcePublic(WireModel):
    source: str
    chunks: int
    text: str = Field(description="the chunks in order, their overlaps removed")


class ResetPublic(WireModel):
    status: Literal["reset"]
    collection: str
    deleted: int
