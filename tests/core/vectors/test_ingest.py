"""Ingest's progress: every file extracted first, then each batch embedded and upserted, with
the report of what is written so far; a failing provider leaves its file as it was."""

from __future__ import annotations

import functools
import json

import pytest

from core.exceptions import InvalidRequest, Unavailable
from core.vectors import IngestReport, Upload, VectorStore, ingest, prepare_files, write_files
from core.vectors import store as store_module
from tests.conftest import SettingsFactory
from tests.utils.embeddings import down_for, embeddings_answer, fake_embeddings, openai_settings

WORDS = 16  # chunk_tokens; overlap 2: a text of 16 + 14k tokens makes k + 1 chunks


def _text(chunks: int, word: str) -> bytes:
    return " ".join(f"{word}{i}" for i in range(WORDS + 14 * (chunks - 1))).encode()


def _make_settings(make_settings: SettingsFactory) -> SettingsFactory:
    """A factory of settings with this module's chunk sizes."""
    return functools.partial(make_settings, chunk_tokens=WORDS, chunk_overlap_tokens=2)


def _store(make_settings: SettingsFactory) -> VectorStore:
    return VectorStore(_make_settings(make_settings)())


def _uploads() -> list[Upload]:
    return [Upload("a.md", _text(5, "alpha")), Upload("b.txt", _text(2, "beta"))]


def _steps(store: VectorStore, uploads: list[Upload]) -> list[tuple[str, int, int, int]]:
    files = prepare_files(store, uploads=uploads, chunk_tokens=WORDS, overlap_tokens=2)
    return [(p.step, p.index, p.done, p.total_done) for p in write_files(store, files)]


def test_write_files_extracts_all_then_upserts_each_batch(
    make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "UPSERT_BATCH", 2)
    store = _store(make_settings)
    files = prepare_files(store, uploads=_uploads(), chunk_tokens=WORDS, overlap_tokens=2)
    progress = list(write_files(store, files))
    steps = [(p.step, p.index, p.done, p.total_done, p.total_chunks) for p in progress]
    assert steps == [
        ("extracted", 0, 5, 5, 7),
        ("extracted", 1, 2, 7, 7),
        ("upserted", 0, 2, 2, 7),
        ("upserted", 0, 4, 4, 7),
        ("upserted", 0, 5, 5, 7),
        ("upserted", 1, 2, 7, 7),
    ]
    reports = [p.report for p in progress]
    assert reports[3] == IngestReport(files=0, blocks=0, chunks=0, upserted=4)  # a.md half done
    assert reports[4] == IngestReport(files=1, blocks=1, chunks=5, upserted=5)
    assert (
        reports[-1]
        == IngestReport(files=2, blocks=2, chunks=7, upserted=7)
        == ingest(_store(make_settings), uploads=_uploads(), chunk_tokens=WORDS, overlap_tokens=2)
    )
    assert store.count() == 7


def test_write_files_embeds_every_chunk_before_upserting(
    make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "BATCH", 3)
    seen = fake_embeddings(monkeypatch, embeddings_answer)
    store = VectorStore(openai_settings(_make_settings(make_settings)))
    assert _steps(store, _uploads())[2:] == [
        ("embedded", 0, 3, 3),
        ("embedded", 0, 5, 5),
        ("upserted", 0, 5, 5),
        ("embedded", 1, 2, 7),
        ("upserted", 1, 2, 7),
    ]
    assert [len(json.loads(r.content)["input"]) for r in seen] == [3, 2, 2]


def test_write_files_failing_provider_leaves_the_file_as_it_was(
    make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_embeddings(monkeypatch, down_for("beta0"))
    store = VectorStore(openai_settings(_make_settings(make_settings)))
    before = ingest(
        store, uploads=[Upload("b.txt", b"old text")], chunk_tokens=WORDS, overlap_tokens=2
    )
    files = prepare_files(store, uploads=_uploads(), chunk_tokens=WORDS, overlap_tokens=2)
    written = []
    with pytest.raises(Unavailable):
        for progress in write_files(store, files):
            written.append(progress.report)
    assert written[-1] == IngestReport(files=1, blocks=1, chunks=5, upserted=5)
    assert store.count() == 5 + before.chunks
    assert [p["text"] for p in store.source_chunks("b.txt")] == ["old text"]


def test_prepare_files_refuses_a_bad_file_before_writing_any(
    make_settings: SettingsFactory,
) -> None:
    store = _store(make_settings)
    with pytest.raises(InvalidRequest, match="empty.md"):
        prepare_files(
            store,
            uploads=[Upload("a.md", b"fine text"), Upload("empty.md", b"")],
            chunk_tokens=WORDS,
            overlap_tokens=2,
        )
    assert store.count() is None  # not even the collection was created
