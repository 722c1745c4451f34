"""GET /api/v1/rag/search (v2 only): the knowledge base's best chunks for a query."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from app_v2.deps import VectorsDep
from app_v2.openapi import vector_errors
from core.contract.vectors import DegradedPublic, HitPublic, SearchPublic
from core.exceptions import NotFound

router = APIRouter(prefix="/api/v1/rag", tags=["knowledge base"])
# On a search answered from the sparse vector alone, for clients that read no body field.
DEGRADED_HEADER = "X-Search-Degraded"


@router.get(
    "/search",
    response_model=SearchPublic,
    response_model_exclude_none=True,
    responses=vector_errors(400, 404, 409, 503),
)
def search(
    response: Response,
    store: VectorsDep,
    query: Annotated[str, Query(min_length=1, max_length=2000)],
    top_k: Annotated[int, Query(ge=1, le=100)] = 5,
    collection: Annotated[str | None, Query(max_length=255)] = None,
    source: Annotated[str | None, Query(max_length=255, description="one sourceFile")] = None,
) -> SearchPublic:
    """Search the ingested chunks (hybrid with a dense provider, else sparse lexical)."""
    if collection is not None and collection != store.collection:
        raise NotFound(f"unknown collection {collection!r}; this service uses {store.collection}")
    found = store.search(query, top_k=top_k, source=source)
    degraded = None
    if found.degraded is not None:
        response.headers[DEGRADED_HEADER] = "embeddings_unavailable"
        degraded = DegradedPublic(
            message=found.degraded.message, retry_after_s=found.degraded.retry_after_s
        )
    return SearchPublic(
        query=query,
        top_k=top_k,
        collection=store.collection,
        hits=[HitPublic(id=hit.id, score=hit.score, payload=hit.payload) for hit in found.hits],
        degraded=degraded,
    )
