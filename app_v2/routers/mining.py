"""POST /api/v1/mining/extract and /conflicts (v2 only)."""

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from app_v2.deps import JsonBody, SessionDep, SettingsDep, VectorsDep, read_body
from app_v2.openapi import json_body
from app_v2.uploads import read_form
from core.contract.bodies import media_type, parse_conflicts, parse_mining, parse_mining_options
from core.contract.mining import (
    ConflictsCreate,
    ConflictsPublic,
    MiningCreate,
    MiningOptions,
    MiningPublic,
)
from core.mining import Document, conflicts, extract, read_documents
from edge.openapi import error_responses

router = APIRouter(prefix="/api/v1/mining", tags=["mining"])

MINING_ERRORS = error_responses(
    {
        400: "invalid JSON, a bad field or option, a limit exceeded, an empty or unreadable file",
        413: "body larger than MAX_BODY_BYTES, or files larger than MAX_UPLOAD_BYTES",
        415: "unsupported Content-Type, or a file type other than .md .txt .json .csv .pdf .docx",
    }
)
CONFLICTS_ERRORS = error_responses(
    {
        400: "invalid JSON, a bad field, neither or both of items and source, a limit exceeded",
        404: "no chunks of the source in the knowledge base",
        409: "the collection was built for another embeddings provider or dimension",
        413: "body larger than MAX_BODY_BYTES",
        415: "unsupported Content-Type",
        503: "the vector store is unavailable, or MAX_CONCURRENT_BATCHES batches are running",
    }
)


@router.post(
    "/extract",
    response_model=MiningPublic,
    response_model_exclude_none=True,
    openapi_extra=json_body(MiningCreate, markdown=True, form=MiningOptions),
    responses=MINING_ERRORS,
)
async def extract_requirements(
    request: Request, session: SessionDep, settings: SettingsDep
) -> MiningPublic:
    """Find the requirement candidates of a text or of files; optionally evaluate each."""
    content_type = request.headers.get("content-type")
    if media_type(content_type) == "multipart/form-data":
        form = await read_form(request, max_bytes=settings.max_upload_bytes)
        options = parse_mining_options(form.fields)
        # reading a PDF or .docx is CPU work: off the event loop
        documents = await run_in_threadpool(read_documents, form.files, settings)
    else:
        body = await read_body(request, max_bytes=settings.max_body_bytes)
        options = parse_mining(body, content_type, settings)
        documents = [Document(options.source, options.text)]
    return await run_in_threadpool(
        extract,
        session=session,
        settings=settings,
        documents=documents,
        options=options,
        variant="v2",
    )


@router.post(
    "/conflicts",
    response_model=ConflictsPublic,
    response_model_exclude_none=True,
    openapi_extra=json_body(ConflictsCreate),
    responses=CONFLICTS_ERRORS,
)
def find_conflicts(body: JsonBody, settings: SettingsDep, store: VectorsDep) -> ConflictsPublic:
    """Report near-duplicate and conflicting requirements of a list or an ingested source."""
    request = parse_conflicts(body, settings)
    return conflicts(request=request, settings=settings, store=store)
