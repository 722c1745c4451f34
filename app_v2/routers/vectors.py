"""/api/v1/vector/* (v2 only): the knowledge base's collections, health, sources, reset."""

import logging
from typing import Annotated

from fastapi import APIRouter, Query

from app_v2.deps import VectorsDep
from app_v2.openapi import vector_errors
from core.contract.vectors import (
    CollectionPublic,
    CollectionsPublic,
    ResetPublic,
    SourcePublic,
    VectorHealthPublic,
)
from core.exceptions import ConfirmRequired, NotFound
from core.vectors import reassemble
from edge.admin import AdminDep

router = APIRouter(prefix="/api/v1/vector", tags=["knowledge base"])
audit = logging.getLogger("reqgate.audit")


@router.get("/collections", response_model=CollectionsPublic, responses=vector_errors(503))
def list_collections(store: VectorsDep) -> CollectionsPublic:
    """List the collections on the vector store with their number of points."""
    items = [CollectionPublic(name=name, points_count=n) for name, n in store.collections()]
    return CollectionsPublic(collection=store.collection, items=items)


@router.get("/health", response_model=VectorHealthPublic, responses=vector_errors(503))
def vector_health(store: VectorsDep) -> VectorHealthPublic:
    """Report whether the vector store answers, and which embeddings provider is in use."""
    points = store.count()
    return VectorHealthPublic(
        status="ok",
        mode="embedded" if store.embedded else "server",
        collection=store.collection,
        points_count=points,
        provider=store.provider.name,
        provider_reason=store.provider.reason,
        search="sparse" if store.provider.embedder is None else "hybrid",
    )


@router.get(
    "/source/full", response_model=SourcePublic, responses=vector_errors(400, 404, 409, 503)
)
def read_source(
    store: VectorsDep, source: Annotated[str, Query(min_length=1, max_length=255)]
) -> SourcePublic:
    """Reassemble an ingested source from its chunks, in order, without their overlaps."""
    payloads = store.source_chunks(source)
    if not payloads:
        raise NotFound(f"no chunks of source {source!r}")
    return SourcePublic(source=source, chunks=len(payloads), text=reassemble(payloads))


@router.post("/reset", response_model=ResetPublic, responses=vector_errors(400, 401, 403, 503))
def reset_collection(store: VectorsDep, actor: AdminDep, confirm: bool = False) -> ResetPublic:
    """Delete the collection and every chunk in it (admin token and ?confirm=true)."""
    if not confirm:
        raise ConfirmRequired("resetting deletes every ingested chunk: repeat with confirm=true")
    deleted = store.reset()
    audit.warning(
        "vector collection reset",
        extra={"actor": actor, "collection": store.collection, "deleted": deleted},
    )
    return ResetPublic(status="reset", collection=store.collection, deleted=deleted)
