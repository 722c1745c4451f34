"""Ingest: uploaded files -> blocks of text -> chunks -> points that replace the source's.

Two phases, so that bad input is refused before anything is written: `prepare_files` checks
every file and the store (400, 415, 409, 503), `write_files` indexes them one after the other
and yields its progress (`Progress`), which the stream route and the CLI show; `ingest` runs
both.
"""

from __future__ import annotations

import hashlib
from collections.abc import Generator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal

from core.exceptions import InvalidRequest
from core.vectors._chunking import Chunk, chunk_text
from core.vectors._extract import Block, extract, safe_name, source_type
from core.vectors.store import VectorStore


@dataclass(frozen=True, slots=True)
class Upload:
    name: str | None  # as the client sent it: never used as a path
    data: bytes


@dataclass(frozen=True, slots=True)
class ReadFile:
    """An upload checked and read: its safe name, type, bytes and non-empty blocks of text."""

    name: str
    kind: str
    data: bytes
    blocks: list[Block]


@dataclass(frozen=True, slots=True)
class IngestReport:
    files: int
    blocks: int
    chunks: int
    upserted: int


@dataclass(frozen=True, slots=True)
class Prepared:
    """One checked file, cut into chunks with their payloads: ready to write."""

    name: str
    kind: str
    blocks: int
    chunks: list[Chunk]
    payloads: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Progress:
    """One step of `write_files`: a file extracted, or a batch of its chunks embedded or upserted.

    `done` counts the file's chunks through `step`, `total_done` the upload's; `report` is
    what is written so far (a file counts once all its chunks are upserted).
    """

    step: Literal["extracted", "embedded", "upserted"]
    index: int
    file: Prepared
    done: int
    total_done: int
    total_chunks: int
    report: IngestReport


def prepare_files(
    store: VectorStore, *, uploads: list[Upload], chunk_tokens: int, overlap_tokens: int
) -> list[Prepared]:
    """Check and chunk every file, then the store: 400/415/409/503 before anything is written."""
    prepared = []
    for file in read_files(uploads):
        common = {
            "sourceFile": file.name,
            "sourceType": file.kind,
            "sha1": hashlib.sha1(file.data).hexdigest(),  # a content id, as the original gave
            "createdAt": datetime.now(UTC).isoformat(),
        }
        payloads: list[dict[str, Any]] = []
        pieces = []
        for block in file.blocks:
            for chunk in chunk_text(block.text, size=chunk_tokens, overlap=overlap_tokens):
                payload = {**common, "chunkIndex": len(payloads), "tokenLen": chunk.token_len}
                if block.page_no is not None:
                    payload["pageNo"] = block.page_no
                payload |= {"charStart": chunk.start, "charEnd": chunk.end, "text": chunk.text}
                payloads.append(payload)
                pieces.append(chunk)
        prepared.append(Prepared(file.name, file.kind, len(file.blocks), pieces, payloads))
    store.check_writable()
    return prepared


def write_files(store: VectorStore, files: list[Prepared]) -> Generator[Progress]:
    """Index the files in order, each replacing the chunks of a source ingested before under
    its name; yields each file extracted, then every batch embedded and upserted."""
    total = sum(len(file.chunks) for file in files)
    report = IngestReport(0, 0, 0, 0)
    extracted = 0
    for index, file in enumerate(files):
        extracted += len(file.chunks)
        yield Progress("extracted", index, file, len(file.chunks), extracted, total, report)
    before = {"embedded": 0, "upserted": 0}  # the upload's chunks through each step so far
    for index, file in enumerate(files):
        for step, done in store.write_source(file.name, file.chunks, file.payloads):
            if step == "upserted":
                report = _upserted(report, file, done, before["upserted"])
            yield Progress(step, index, file, done, before[step] + done, total, report)
        before = {step: chunks + len(file.chunks) for step, chunks in before.items()}


def _upserted(report: IngestReport, file: Prepared, done: int, before: int) -> IngestReport:
    """The report once `done` of the file's chunks are upserted; `before` were upserted
    before the file."""
    report = replace(report, upserted=before + done)
    if done < len(file.chunks):
        return report
    return replace(
        report,
        files=report.files + 1,
        blocks=report.blocks + file.blocks,
        chunks=report.chunks + done,
    )


def ingest(
    store: VectorStore, *, uploads: list[Upload], chunk_tokens: int, overlap_tokens: int
) -> IngestReport:
    """Prepare and write the upload in one go; what was written."""
    files = prepare_files(
        store, uploads=uploads, chunk_tokens=chunk_tokens, overlap_tokens=overlap_tokens
    )
    report = IngestReport(0, 0, 0, 0)
    for progress in write_files(store, files):
        report = progress.report
    return report


def read_files(uploads: list[Upload]) -> list[ReadFile]:
    """Every upload checked and read, or the 400/415 of the first bad one; ingest and
    mining (POST /api/v1/mining/extract with files) accept exactly the same files."""
    if not uploads:
        raise InvalidRequest("send one or more files in the multipart field 'files'")
    checked = []
    for upload in uploads:
        name = safe_name(upload.name)
        kind = source_type(name, upload.data)
        found = extract(name, kind, upload.data)
        if not found:  # e.g. a scanned PDF without a text layer: nothing to index or mine
            raise InvalidRequest(f"{name}: no text found in the file")
        checked.append(ReadFile(name, kind, upload.data, found))
    return checked
