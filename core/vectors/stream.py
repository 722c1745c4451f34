"""POST /api/v1/files/ingest/stream: an ingest's progress as it goes, NDJSON or SSE lines.

Every file is checked before the stream starts (bad input is a 400/415 status, as on the
plain route). Lines: `{event: "extracted", index, sourceFile, sourceType, blocks, chunks}`
per file; per batch `{event: "embedded"|"upserted", index, sourceFile, done, chunks,
totalDone, totalChunks}` (`embedded` only with a dense provider; `done` of `chunks` is the
file's, `totalDone` of `totalChunks` the upload's); on a failure, which stops the ingest,
`{event: "error", index, sourceFile, retryAfterS?, error, message, details?, requestId}`;
and last, always, `{event: "end", countFiles, countBlocks, countChunks, upserted,
collection, qdrantPort, processed, failed, durationMs}`: the plain route's answer for what
was written (a file counts once all its chunks are), processed and failed counting files.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Generator
from typing import Any

from core.contract.vectors import IngestPublic
from core.contract.wire import error_body
from core.exceptions import ApiError, InternalError
from core.logging import request_id_var
from core.vectors.ingest import IngestReport, Prepared, Progress, write_files
from core.vectors.store import VectorStore

logger = logging.getLogger("reqgate.vectors")


def ingest_summary(store: VectorStore, report: IngestReport) -> IngestPublic:
    """The answer of POST /api/v1/files/ingest, as the original system gave it."""
    return IngestPublic(
        count_files=report.files,
        count_blocks=report.blocks,
        count_chunks=report.chunks,
        upserted=report.upserted,
        collection=store.collection,
        qdrant_port=store.qdrant_port,
    )


def ingest_events(store: VectorStore, files: list[Prepared]) -> Generator[dict[str, Any]]:
    """The lines of one ingest stream (module docstring); close() it to stop writing."""
    started = time.perf_counter()
    report = IngestReport(0, 0, 0, 0)
    failed = 0
    steps = write_files(store, files)
    try:
        for progress in steps:
            report = progress.report
            yield _progress_line(progress)
    # The stream must end with its end line whatever went wrong: the status is long sent.
    except Exception as exc:
        failed = 1
        yield _error_line(report.files, files[report.files].name, exc)
    finally:
        steps.close()
    yield {
        "event": "end",
        # as the plain answer: qdrantPort stays, null in embedded mode
        **ingest_summary(store, report).model_dump(mode="json", by_alias=True),
        "processed": report.files + failed,
        "failed": failed,
        "durationMs": round((time.perf_counter() - started) * 1000),
    }


def _progress_line(progress: Progress) -> dict[str, Any]:
    line = {"event": progress.step, "index": progress.index, "sourceFile": progress.file.name}
    if progress.step == "extracted":
        return line | {
            "sourceType": progress.file.kind,
            "blocks": progress.file.blocks,
            "chunks": len(progress.file.chunks),
        }
    return line | {
        "done": progress.done,
        "chunks": len(progress.file.chunks),
        "totalDone": progress.total_done,
        "totalChunks": progress.total_chunks,
    }


def _error_line(index: int, source: str, exc: Exception) -> dict[str, Any]:
    """The failure in the error shape; exception text never leaves the server."""
    if isinstance(exc, ApiError):
        logger.warning("ingest stopped at file %d: %s", index, exc.code)
        error: ApiError = exc
    else:
        logger.error("ingest failed at file %d", index, exc_info=exc)
        error = InternalError()
    line: dict[str, Any] = {"event": "error", "index": index, "sourceFile": source}
    if (retry := error.headers.get("Retry-After")) is not None:
        line["retryAfterS"] = int(retry)
    return line | error_body(error.code, error.message, request_id_var.get(), error.details)
