"""The OpenAPI document of v2, completed with what FastAPI cannot see.

The routes read their bodies as raw bytes and core parses them (core.contract.bodies), so v1
and v2 refuse bad input with identical errors. FastAPI therefore knows neither the body models nor
the errors they raise: `json_body` and `BODY_ERRORS` declare them per route, and `install`
completes the document as edge.openapi does for every FastAPI app of reqgate.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

import edge.openapi
from edge.openapi import REF_TEMPLATE, error_responses

MARKDOWN_MEDIA_TYPE = "text/markdown"

BODY_ERRORS = error_responses(
    {
        400: "invalid JSON, a bad field or a limit exceeded",
        413: "body larger than MAX_BODY_BYTES",
        415: "unsupported Content-Type",
    }
)


def json_body(
    model: type[BaseModel],
    *,
    required: bool = True,
    markdown: bool = False,
    form: type[BaseModel] | None = None,
) -> Any:
    """`openapi_extra` for a route whose JSON body core validates against `model`; with
    `form`, the route also takes files in multipart/form-data, with `form`'s fields."""
    content: dict[str, Any] = {
        "application/json": {"schema": model.model_json_schema(ref_template=REF_TEMPLATE)}
    }
    if markdown:
        content[MARKDOWN_MEDIA_TYPE] = {"schema": {"type": "string"}}
    if form is not None:
        content |= _multipart(form)
    return {"requestBody": {"required": required, "content": content}}


def _multipart(fields: type[BaseModel] | None = None) -> dict[str, Any]:
    """The multipart/form-data content of an upload: the files (field `files`, repeated)
    and, as text fields, the properties of `fields`."""
    schema: dict[str, Any] = {"type": "object", "properties": {}}
    if fields is not None:
        schema = fields.model_json_schema(ref_template=REF_TEMPLATE)
    schema["properties"] = {
        "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
        **schema["properties"],
    }
    schema["required"] = ["files"]
    return {"multipart/form-data": {"schema": schema}}


def install(app: FastAPI) -> None:
    """Generate the document once, then complete it (see the module docstring)."""
    edge.openapi.install(app, edge.openapi.complete)


# The knowledge-base routes' documented failures, each in the one error shape.
VECTOR_ERRORS = error_responses(
    {
        400: "a bad parameter, or a file that is empty, unnamed or unreadable",
        401: "a missing or wrong admin token",
        403: "the admin API is disabled (no ADMIN_TOKEN)",
        404: "no such source or collection",
        409: "the collection was built for another embeddings provider or dimension",
        413: "upload larger than MAX_UPLOAD_BYTES",
        415: "not multipart/form-data, or a file type other than .md .txt .json .csv .pdf .docx",
        503: "the vector store or the embeddings provider is unavailable",
    }
)
UPLOAD_BODY = {"requestBody": {"required": True, "content": _multipart()}}


INGEST_STREAM_LINES = (
    "NDJSON lines (SSE messages with `Accept: text/event-stream`), every file checked before"
    " the first: per file `{event: extracted, index, sourceFile, sourceType, blocks, chunks}`;"
    " per batch `{event: embedded|upserted, index, sourceFile, done, chunks, totalDone,"
    " totalChunks}`; on a failure, which stops the ingest, `{event: error, index, sourceFile,"
    " retryAfterS?, error, message, details?, requestId}`; last, always, `{event: end,"
    " countFiles, countBlocks, countChunks, upserted, collection, qdrantPort, processed, failed,"
    " durationMs}`, the plain answer for what was written"
)


def vector_errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a knowledge-base route failing with these statuses."""
    return {status: VECTOR_ERRORS[status] for status in statuses}
