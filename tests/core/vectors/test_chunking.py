"""Chunking: sizes and overlap in tokens, continuous, nothing lost at the end."""

from __future__ import annotations

import pytest

from core.vectors._chunking import TOKEN, chunk_text
from core.vectors.store import reassemble


def _payloads(text: str, size: int, overlap: int) -> list[dict[str, object]]:
    return [
        {"chunkIndex": i, "charStart": c.start, "charEnd": c.end, "text": c.text}
        for i, c in enumerate(chunk_text(text, size=size, overlap=overlap))
    ]


def test_chunk_text_overlaps_and_keeps_the_tail() -> None:
    text = " ".join(f"w{i}" for i in range(25))
    chunks = chunk_text(text, size=10, overlap=3)
    assert [c.token_len for c in chunks] == [10, 10, 10, 4]
    assert chunks[1].text.startswith("w7 w8 w9 w10")
    assert chunks[-1].text.endswith("w24")


def test_chunk_text_counts_words_and_punctuation_as_tokens() -> None:
    chunks = chunk_text("Das System muss, wenn möglich, loggen.", size=100, overlap=0)
    assert chunks[0].token_len == len(TOKEN.findall("Das System muss, wenn möglich, loggen.")) == 9


def test_chunk_text_of_blank_text_is_empty() -> None:
    assert chunk_text(" \n ", size=10, overlap=2) == []


@pytest.mark.parametrize(("size", "overlap"), [(16, 4), (16, 0), (50, 49), (1000, 10)])
def test_reassemble_restores_the_text_without_overlaps(size: int, overlap: int) -> None:
    text = (
        "The system shall respond within 2 s.\nDas System muss, z. B. nachts, Daten sichern. " * 9
    )
    restored = reassemble(_payloads(text.strip(), size, overlap))
    expected = text.strip()
    if overlap == 0:  # the whitespace between two chunks is not stored: one space stands in
        assert restored.split() == expected.split()
    else:
        assert restored == expected
