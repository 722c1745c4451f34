"""Ingest: uploaded files -> blocks of text -> chunks -> points that replace the source's."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from core.exceptions import InvalidRequest
from core.vectors._chunking import chunk_text
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


def ingest(
    store: VectorStore, *, uploads: list[Upload], chunk_tokens: int, overlap_tokens: int
) -> IngestReport:
    """Check every file first (400/415 before anything is written), then index each one,
    replacing the chunks of a source ingested before under the same name."""
    checked = read_files(uploads)
    blocks = chunks = upserted = 0
    for file in checked:
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
        blocks += len(file.blocks)
        chunks += len(pieces)
        upserted += store.replace_source(file.name, pieces, payloads)
    return IngestReport(files=len(checked), blocks=blocks, chunks=chunks, upserted=upserted)


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
