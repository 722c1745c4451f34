"""The ingest stream's lines: closing it stops the writing, and a failure that is no ApiError
is an internal_error line that tells nothing of the exception, then the end line."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.vectors import Upload, VectorStore, ingest_events, prepare_files
from core.vectors import store as store_module
from tests.conftest import SettingsFactory

TEXT = " ".join(f"word{i}" for i in range(16 + 14 * 4)).encode()  # 5 chunks of 16, overlap 2


def _events(store: VectorStore, *names: str) -> Iterator[dict[str, Any]]:
    uploads = [Upload(name, TEXT) for name in names]
    files = prepare_files(store, uploads=uploads, chunk_tokens=16, overlap_tokens=2)
    return ingest_events(store, files)


def test_ingest_events_closed_stops_writing(
    make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "UPSERT_BATCH", 2)
    store = VectorStore(make_settings(qdrant_path=Path(":memory:")))
    events = _events(store, "a.md", "b.md")
    while next(events)["event"] != "upserted":
        pass
    events.close()  # a client gone: the response closes the stream
    assert store.count() == 2


def test_ingest_events_unexpected_failure_is_internal_error_line(
    make_settings: SettingsFactory,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(*_args: object) -> Iterator[tuple[str, int]]:
        raise RuntimeError("secret detail")
        yield  # a generator, as write_source

    store = VectorStore(make_settings(qdrant_path=Path(":memory:")))
    monkeypatch.setattr(store, "write_source", broken)
    with caplog.at_level(logging.ERROR, logger="reqgate.vectors"):
        *_, error, end = list(_events(store, "a.md"))
    assert error["error"] == "internal_error" and "secret" not in str(error)
    assert {key: error[key] for key in ("event", "index", "sourceFile")} == {
        "event": "error",
        "index": 0,
        "sourceFile": "a.md",
    }
    assert (end["event"], end["countFiles"], end["processed"], end["failed"]) == ("end", 0, 1, 1)
    assert "ingest failed at file 0" in caplog.text
