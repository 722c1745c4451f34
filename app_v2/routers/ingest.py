"""POST /api/v1/files/ingest (v2 only): documents into the knowledge base."""

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from app_v2.deps import SettingsDep, VectorsDep
from app_v2.openapi import UPLOAD_BODY, vector_errors
from app_v2.uploads import read_uploads
from core.contract.vectors import IngestPublic
from core.vectors import ingest

router = APIRouter(prefix="/api/v1/files", tags=["knowledge base"])


@router.post(
    "/ingest",
    response_model=IngestPublic,
    openapi_extra=UPLOAD_BODY,
    responses=vector_errors(400, 409, 413, 415, 503),
)
async def ingest_files(request: Request, settings: SettingsDep, store: VectorsDep) -> IngestPublic:
    """Index the uploaded files; a file uploaded again under its name replaces its chunks."""
    uploads = await read_uploads(request, max_bytes=settings.max_upload_bytes)
    report = await run_in_threadpool(
        ingest,
        store,
        uploads=uploads,
        chunk_tokens=settings.chunk_tokens,
        overlap_tokens=settings.chunk_overlap_tokens,
    )
    return IngestPublic(
        count_files=report.files,
        count_blocks=report.blocks,
        count_chunks=report.chunks,
        upserted=report.upserted,
        collection=store.collection,
        qdrant_port=store.qdrant_port,
    )
