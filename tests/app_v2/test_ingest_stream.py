"""POST /api/v1/files/ingest/stream, and the embeddings circuit breaker on the knowledge base:
progress lines ending with the plain answer, errors before the stream as statuses and after
it as a line, 503 with Retry-After while the circuit is open, and search degrading to sparse
with a mark in the answer."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from starlette.testclient import TestClient

import app_v2.main
from core.settings import Settings
from core.vectors import close_clients
from tests.conftest import SettingsFactory
from tests.utils.embeddings import down_for, embeddings_answer, fake_embeddings, openai_settings

SUMMARY_KEYS = {"countFiles", "countBlocks", "countChunks", "upserted", "collection", "qdrantPort"}
SPEC = b"The system shall lock an account after five failed logins. " * 20
NOTES = b"Backups are encrypted at rest and restored every week."
FILES = [("files", ("spec.md", SPEC)), ("files", ("notes.txt", NOTES))]
FAILURES = 2


@pytest.fixture(autouse=True)
def _close_vector_clients() -> Iterator[None]:
    yield
    close_clients()


def _client(settings: Settings) -> TestClient:
    return TestClient(app_v2.main.create_app(settings))


def _dense(make_settings: SettingsFactory) -> Settings:
    return openai_settings(
        make_settings, llm_breaker_failures=FAILURES, chunk_tokens=24, chunk_overlap_tokens=4
    )


def _lines(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/x-ndjson")
    return [json.loads(line) for line in response.text.splitlines()]


def test_ingest_stream_lines_end_with_the_plain_answer(make_settings: SettingsFactory) -> None:
    settings = make_settings(chunk_tokens=24, chunk_overlap_tokens=4)
    lines = _lines(_client(settings).post("/api/v1/files/ingest/stream", files=FILES))
    plain = _client(make_settings(chunk_tokens=24, chunk_overlap_tokens=4)).post(
        "/api/v1/files/ingest", files=FILES
    )
    assert set(plain.json()) == SUMMARY_KEYS  # the plain answer is the original's, unchanged
    *progress, end = lines
    assert [(line["event"], line["index"]) for line in progress[:2]] == [
        ("extracted", 0),
        ("extracted", 1),
    ]
    assert progress[0] == {
        "event": "extracted",
        "index": 0,
        "sourceFile": "spec.md",
        "sourceType": "md",
        "blocks": 1,
        "chunks": plain.json()["countChunks"] - 1,
    }
    upserts = [line for line in progress if line["event"] == "upserted"]
    assert [line["sourceFile"] for line in upserts] == ["spec.md", "notes.txt"]
    assert upserts[-1]["totalDone"] == upserts[-1]["totalChunks"] == plain.json()["countChunks"]
    assert end["event"] == "end" and {k: end[k] for k in SUMMARY_KEYS} == plain.json()
    assert (end["processed"], end["failed"]) == (2, 0) and isinstance(end["durationMs"], int)


def test_ingest_stream_as_sse_on_request(settings: Settings) -> None:
    response = _client(settings).post(
        "/api/v1/files/ingest/stream", files=FILES, headers={"Accept": "text/event-stream"}
    )
    assert response.headers["content-type"].startswith("text/event-stream")
    messages = [m for m in response.text.split("\n\n") if m]
    assert all(m.startswith("data: ") for m in messages)
    assert json.loads(messages[-1].removeprefix("data: "))["event"] == "end"


@pytest.mark.parametrize(
    ("files", "status", "code"),
    [
        ([("files", ("a.md", b"ok")), ("files", ("b.md", b""))], 400, "invalid_request"),
        ([("files", ("a.exe", b"MZ"))], 415, "unsupported_media_type"),
    ],
)
def test_ingest_stream_refuses_bad_files_before_streaming(
    settings: Settings, files: list[Any], status: int, code: str
) -> None:
    client = _client(settings)
    response = client.post("/api/v1/files/ingest/stream", files=files)
    assert response.status_code == status and response.json()["error"] == code
    assert client.get("/api/v1/vector/health").json()["pointsCount"] is None  # nothing written


def test_ingest_stream_failure_is_an_error_line_then_the_end_line(
    make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_embeddings(monkeypatch, down_for("Backups"))
    response = _client(_dense(make_settings)).post(
        "/api/v1/files/ingest/stream", files=FILES, headers={"X-Request-Id": "req-stream-1"}
    )
    *_, error, end = _lines(response)
    assert error == {
        "event": "error",
        "index": 1,
        "sourceFile": "notes.txt",
        "retryAfterS": 5,
        "error": "unavailable",
        "message": "the embeddings provider is unavailable",
        "requestId": "req-stream-1",
    }
    assert (end["event"], end["countFiles"], end["processed"], end["failed"]) == ("end", 1, 2, 1)
    assert end["upserted"] == end["countChunks"] > 0  # spec.md is written, notes.txt is not


def test_ingest_and_stream_503_with_retry_after_while_circuit_open(
    make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = fake_embeddings(monkeypatch, lambda _request: httpx2.Response(502))
    client = _client(_dense(make_settings))
    for _ in range(FAILURES):
        failed = client.post("/api/v1/files/ingest", files=FILES)
        assert failed.status_code == 503 and failed.headers["retry-after"] == "5"
    for path in ("/api/v1/files/ingest", "/api/v1/files/ingest/stream"):
        response = client.post(path, files=FILES)
        assert response.status_code == 503, path
        assert response.json()["error"] == "unavailable"
        assert "circuit open" in response.json()["message"]
        assert 1 <= int(response.headers["retry-after"]) <= 30  # LLM_BREAKER_RESET_S left
    assert len(seen) == FAILURES  # open: the server is not called


def test_search_degrades_to_sparse_and_says_so_while_circuit_open(
    make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = itertools.count()  # the ingest's two calls (one per file) succeed, later ones fail
    seen = fake_embeddings(
        monkeypatch, lambda r: embeddings_answer(r) if next(calls) < 2 else httpx2.Response(503)
    )
    client = _client(_dense(make_settings))
    assert client.post("/api/v1/files/ingest", files=FILES).status_code == 200
    params = {"query": "encrypted backups", "top_k": 2}
    for _ in range(FAILURES + 1):  # FAILURES calls open the circuit, the last one skips it
        response = client.get("/api/v1/rag/search", params=params)
        body = response.json()
        assert response.status_code == 200 and response.headers["x-search-degraded"]
        assert "Backups" in body["hits"][0]["payload"]["text"]
    assert body["degraded"] == {
        "search": "sparse",
        "reason": "embeddings_unavailable",
        "message": "the embeddings provider is unavailable: its server failed repeatedly"
        " (circuit open)",
        "retryAfterS": 30,
    }
    assert len(seen) == 2 + FAILURES


def test_search_hybrid_answer_carries_no_degraded_mark(
    make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_embeddings(monkeypatch, embeddings_answer)
    client = _client(_dense(make_settings))
    client.post("/api/v1/files/ingest", files=FILES)
    response = client.get("/api/v1/rag/search", params={"query": "encrypted backups"})
    assert set(response.json()) == {"query", "topK", "collection", "hits"}
    assert "x-search-degraded" not in response.headers
