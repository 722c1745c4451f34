"""POST /api/v1/files/ingest and /ingest/stream (v2 only): documents into the knowledge base."""

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from app_v2.deps import SettingsDep, VectorsDep
from app_v2.openapi import INGEST_STREAM_LINES, UPLOAD_BODY, vector_errors
from app_v2.streaming import stream_response
from app_v2.uploads import read_uploads
from core.contract.framing import NDJSON, SSE, encode_events, wants_sse
from core.contract.vectors import IngestPublic
from core.vectors import ingest, ingest_events, ingest_summary, prepare_files

router = APIRouter(prefix="/api/v1/files", tags=["knowledge base"])
INGEST_ERRORS = vector_errors(400, 409, 413, 415, 503)


@router.post(
    "/ingest", response_model=IngestPublic, openapi_extra=UPLOAD_BODY, responses=INGEST_ERRORS
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
    return ingest_summary(store, report)


@router.post(
    "/ingest/stream",
    response_class=StreamingResponse,
    openapi_extra=UPLOAD_BODY,
    responses={
        **INGEST_ERRORS,
        200: {"description": INGEST_STREAM_LINES, "content": {NDJSON: {}, SSE: {}}},
    },
)
async def stream_ingest_files(
    request: Request, settings: SettingsDep, store: VectorsDep
) -> StreamingResponse:
    """Index the uploaded files as /ingest does, streaming its progress line by line."""
    uploads = await read_uploads(request, max_bytes=settings.max_upload_bytes)
    files = await run_in_threadpool(  # every error status comes before the stream starts
        prepare_files,
        store,
        uploads=uploads,
        chunk_tokens=settings.chunk_tokens,
        overlap_tokens=settings.chunk_overlap_tokens,
    )
    sse = wants_sse(request.headers.get("accept"))
    return stream_response(encode_events(ingest_events(store, files), sse=sse), sse=sse)
