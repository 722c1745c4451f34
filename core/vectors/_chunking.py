"""Cutting extracted text into overlapping chunks of CHUNK_TOKENS tokens.

A token is a word or a punctuation mark (no model tokenizer: nothing to download, and the
count means the same for German and English). Each chunk is a slice of its block's text,
so no character between tokens is lost or altered, and the last chunk runs to the block's
last token: no trailing text is dropped. `start`/`end` let the source be reassembled with
the overlap removed (core.vectors.store.reassemble).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TOKEN = re.compile(r"\w+|[^\w\s]")


@dataclass(frozen=True, slots=True)
class Chunk:
    text: str
    start: int  # character offsets in the block's text
    end: int
    token_len: int


def chunk_text(text: str, *, size: int, overlap: int) -> list[Chunk]:
    """The chunks of `text`; consecutive ones share `overlap` tokens (overlap < size)."""
    spans = [match.span() for match in TOKEN.finditer(text)]
    chunks: list[Chunk] = []
    first = 0
    while first < len(spans):
        last = min(first + size, len(spans))
        start, end = spans[first][0], spans[last - 1][1]
        chunks.append(Chunk(text[start:end], start, end, last - first))
        if last == len(spans):
            break
        first = last - overlap
    return chunks
