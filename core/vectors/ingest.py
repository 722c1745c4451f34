"""Ingest: uploaded files -> blocks of text -> chunks -> points that replace the source's."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from core.exceptions import InvalidRequest
from core.vectors._chunking import chunk_text
from core.vectors._extract import extract, safe_name, source_type
from core.vectors.store import VectorStore


@dataclass(frozen=True, slots=True)
class Upload:
    name: str | None  # as the client sent it: never used as a path
    data: bytes


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
    if not uploads:
        raise InvalidRequest("send one or more files in the multipart field 'files'")
    checked = []
    for upload in uploads:
        name = safe_name(upload.name)
        kind = source_type(name, upload.data)
        found = extract(name, kind, upload.data)
        if not found:  # e.g. a scanned PDF without a text layer: nothing could be searched
            raise InvalidRequest(f"{name}: no text found to index")
        checked.append((name, kind, upload.data, found))
    blocks = chunks = upserted = 0
    for name, kind, data, found in checked:
        common = {
            "sourceFile": name,
            "sourceType": kind,
            "sha1": hashlib.sha1(data).hexdigest(),  # a content id, as the original gave
            "createdAt": datetime.now(UTC).isoformat(),
        }
        payloads: list[dict[str, Any]] = []
        pieces = []
        for block in found:
            for chunk in chunk_text(block.text, size=chunk_tokens, overlap=overlap_tokens):
                payload = {**common, "chunkIndex": len(payloads), "tokenLen": chunk.token_len}
                if block.page_no is not None:
                    payload["pageNo"] = block.page_no
                payload |= {"charStart": chunk.start, "charEnd": chunk.end, "text": chunk.text}
                payloads.append(payload)
                pieces.append(chunk)
        blocks += len(found)
        chunks += len(pieces)
        upserted += store.replace_source(name, pieces, payloads)
    return IngestReport(files=len(checked), blocks=blocks, chunks=chunks, upserted=upserted)
