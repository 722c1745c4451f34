"""The store: a collection built for one provider refuses another (409), hybrid search,
and the retention purge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.exceptions import Conflict
from core.vectors import Found, Upload, VectorStore, ingest
from tests.conftest import SettingsFactory
from tests.utils.embeddings import BASE_URL, embeddings_answer, fake_embeddings

TEXT = (
    b"The system shall encrypt backups at rest.\n"
    b"Das System muss Anmeldungen protokollieren.\n"
    b"Operators should rotate all their keys once a year, and each rotation is recorded in the"
    b" audit log with the operator's name."
)


def _store(make_settings: SettingsFactory, path: Path, **overrides: object) -> VectorStore:
    return VectorStore(
        make_settings(
            qdrant_path=path,
            chunk_tokens=16,
            chunk_overlap_tokens=2,
            openai_base_url=BASE_URL,
            **overrides,
        )
    )


def _ingest(store: VectorStore, data: bytes = TEXT) -> int:
    """Ingest as spec.md; the number of chunks (3 for TEXT)."""
    report = ingest(store, uploads=[Upload("spec.md", data)], chunk_tokens=16, overlap_tokens=2)
    return report.chunks


@pytest.mark.parametrize(
    ("first", "second", "named"),
    [
        ({}, {"embeddings_provider": "openai", "embeddings_dim": 8}, "provider none"),
        ({"embeddings_provider": "openai", "embeddings_dim": 8}, {}, "8 dimensions"),
        (
            {"embeddings_provider": "openai", "embeddings_dim": 8},
            {"embeddings_provider": "openai", "embeddings_dim": 16},
            "16 dimensions",
        ),
    ],
)
def test_store_refuses_collection_of_another_provider_409(
    make_settings: SettingsFactory,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    first: dict[str, object],
    second: dict[str, object],
    named: str,
) -> None:
    fake_embeddings(monkeypatch, embeddings_answer)
    chunks = _ingest(_store(make_settings, tmp_path / "q", **first))
    other = _store(make_settings, tmp_path / "q", **second)
    with pytest.raises(Conflict, match="dev/qdrant_migrate.py") as caught:
        other.search("backups", top_k=3)
    assert named in caught.value.message
    assert caught.value.details["existing"] != caught.value.details["configured"]
    assert other.count() == chunks  # nothing dropped


def test_store_hybrid_search_fuses_dense_and_sparse(
    make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = fake_embeddings(monkeypatch, embeddings_answer)
    store = _store(make_settings, Path(":memory:"), embeddings_provider="openai", embeddings_dim=8)
    _ingest(store)
    found = store.search("Anmeldungen protokollieren", top_k=2)
    assert "Anmeldungen" in found.hits[0].payload["text"] and found.degraded is None
    assert len(seen) == 2  # the chunks in one batch, then the query
    info = store.connection.client.get_collection(store.collection)
    assert info.config.metadata == {
        "provider": "openai",
        "model": "text-embedding-3-small",
        "dim": 8,
    }


def test_store_sparse_search_of_only_stop_words_is_empty(make_settings: SettingsFactory) -> None:
    store = _store(make_settings, Path(":memory:"))
    _ingest(store)
    assert store.search("the and der", top_k=3) == Found([])
    hits = store.search("operator", top_k=3).hits
    assert [hit.payload["text"][-5:] for hit in hits] == ["name."]


def test_store_delete_older_than_removes_old_chunks_only(make_settings: SettingsFactory) -> None:
    store = _store(make_settings, Path(":memory:"))
    chunks = _ingest(store)
    store.delete_older_than(1, now=datetime.now(UTC))
    assert store.count() == chunks
    store.delete_older_than(1, now=datetime.now(UTC) + timedelta(hours=2))
    assert store.count() == 0


def test_store_writes_after_another_store_reset_the_collection(
    make_settings: SettingsFactory, tmp_path: Path
) -> None:
    """Another worker's reset must not leave this one writing to a deleted collection."""
    serving, other = (_store(make_settings, tmp_path / "q") for _ in range(2))
    chunks = _ingest(serving)
    assert other.reset() == chunks
    assert _ingest(serving) == chunks and other.count() == chunks
