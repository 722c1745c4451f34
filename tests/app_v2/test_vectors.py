"""The knowledge base through v2: ingest, search, collections, source/full, re-ingest, reset.

Each flow runs on embedded Qdrant in memory and on disk, and on a Qdrant server when
QDRANT_URL is set (one code path: only the settings differ).
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

import app_v2.main
from core.settings import Settings
from core.vectors import close_clients
from dev.processes import free_port
from tests.conftest import SettingsFactory
from tests.utils.documents import make_docx, make_pdf

TOKEN = "vector-admin-token-0123456789"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}
SPEC = (
    "# Login\nThe system shall lock an account after five failed logins.\n"
    "Das System muss jede Anmeldung protokollieren.\n"
    + "Filler sentence number {} keeps the document long enough for several chunks.\n"
    * 12
).format(*range(12))
MODES = ["memory", "disk", "server"]


@pytest.fixture(params=MODES)
def kb_settings(
    request: pytest.FixtureRequest, make_settings: SettingsFactory, tmp_path: Path
) -> Iterator[Settings]:
    """Settings of one mode; the server mode needs QDRANT_URL and uses its own collection."""
    values: dict[str, object] = {
        "admin_token": TOKEN,
        "chunk_tokens": 24,
        "chunk_overlap_tokens": 4,
    }
    if request.param == "disk":
        values["qdrant_path"] = tmp_path / "qdrant"
    if request.param == "server":
        url = os.environ.get("QDRANT_URL")
        if not url:
            pytest.skip("no Qdrant server: set QDRANT_URL (and QDRANT_API_KEY) to run this mode")
        values |= {
            "qdrant_url": url,
            "qdrant_api_key": os.environ.get("QDRANT_API_KEY"),
            "qdrant_collection": f"test_{uuid.uuid4().hex[:12]}",
        }
    settings = make_settings(**values)
    yield settings
    if request.param == "server":
        TestClient(app_v2.main.create_app(settings)).post(
            "/api/v1/vector/reset?confirm=true", headers=ADMIN
        )
    close_clients()


def _client(settings: Settings) -> TestClient:
    return TestClient(app_v2.main.create_app(settings))


def _upload(
    client: TestClient, *files: tuple[str, bytes], field: str = "files"
) -> dict[str, object]:
    response = client.post("/api/v1/files/ingest", files=[(field, (n, d)) for n, d in files])
    assert response.status_code == 200, response.text
    return response.json()


def test_ingest_search_source_reingest_flow(kb_settings: Settings) -> None:
    client = _client(kb_settings)
    answer = _upload(client, ("spec.md", SPEC.encode()), ("notes.txt", b"Backups are encrypted."))
    assert answer["countFiles"] == 2 and answer["countBlocks"] == 2
    assert answer["countChunks"] == answer["upserted"] > 3
    assert answer["collection"] == kb_settings.qdrant_collection
    assert (answer["qdrantPort"] is None) == (kb_settings.qdrant_url is None)

    found = client.get(
        "/api/v1/rag/search", params={"query": "Anmeldung protokollieren", "top_k": 3}
    )
    assert found.status_code == 200
    body = found.json()
    assert body["topK"] == 3 and body["collection"] == kb_settings.qdrant_collection
    top = body["hits"][0]["payload"]
    assert "Anmeldung" in top["text"] and top["sourceFile"] == "spec.md"
    assert {"sourceType", "sha1", "createdAt", "chunkIndex", "tokenLen"} <= set(top)

    only = client.get("/api/v1/rag/search", params={"query": "encrypted", "source": "spec.md"})
    assert only.json()["hits"] == []

    full = client.get("/api/v1/vector/source/full", params={"source": "spec.md"}).json()
    assert full["text"] == SPEC.strip() and full["chunks"] == answer["countChunks"] - 1

    points = _count(client)
    again = _upload(client, ("spec.md", SPEC.encode()))
    assert _count(client) == points  # the same file twice: the same points
    shorter = _upload(client, ("spec.md", b"The system shall log out idle users."))
    assert shorter["countChunks"] == 1
    assert _count(client) == points - again["countChunks"] + 1  # old chunks beyond it deleted


def _count(client: TestClient) -> int:
    health = client.get("/api/v1/vector/health").json()
    collections = client.get("/api/v1/vector/collections").json()
    listed = {item["name"]: item["pointsCount"] for item in collections["items"]}
    assert listed[collections["collection"]] == health["pointsCount"]
    return int(health["pointsCount"])


def test_vector_health_names_provider_and_mode(kb_settings: Settings) -> None:
    body = _client(kb_settings).get("/api/v1/vector/health").json()
    assert body["status"] == "ok" and body["provider"] == "none" and body["search"] == "sparse"
    assert body["providerReason"] == "EMBEDDINGS_PROVIDER=none: sparse only"
    assert body["mode"] == ("server" if kb_settings.qdrant_url else "embedded")


def test_ingest_extracts_generated_pdf_and_docx(kb_settings: Settings) -> None:
    client = _client(kb_settings)
    pdf = make_pdf(["Seite eins: Das System muss Daten sichern.", "Page two: shall export CSV."])
    docx = make_docx(["The operator shall approve every release."])
    answer = _upload(client, ("spec.pdf", pdf), ("rules.docx", docx), field="files[]")
    assert answer["countFiles"] == 2 and answer["countBlocks"] == 3
    hits = client.get("/api/v1/rag/search", params={"query": "export CSV"}).json()["hits"]
    assert hits[0]["payload"]["pageNo"] == 2 and hits[0]["payload"]["sourceType"] == "pdf"
    full = client.get("/api/v1/vector/source/full", params={"source": "rules.docx"}).json()
    assert full["text"] == "The operator shall approve every release."


def test_reset_needs_confirm_and_token_and_is_audited(
    kb_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    client = _client(kb_settings)
    _upload(client, ("spec.md", SPEC.encode()))
    unconfirmed = client.post("/api/v1/vector/reset", headers=ADMIN)
    assert unconfirmed.status_code == 400 and unconfirmed.json()["error"] == "confirm_required"
    anonymous = client.post("/api/v1/vector/reset?confirm=true")
    assert anonymous.status_code == 401 and anonymous.json()["error"] == "unauthorized"
    wrong = client.post("/api/v1/vector/reset?confirm=true", headers={"Authorization": "Bearer x"})
    assert wrong.status_code == 401
    assert _count(client) > 0
    with caplog.at_level(logging.INFO, logger="reqgate.audit"):
        done = client.post(
            "/api/v1/vector/reset?confirm=true", headers={**ADMIN, "X-Actor": "ops-anna"}
        )
    assert (
        done.status_code == 200 and done.json()["status"] == "reset" and done.json()["deleted"] > 0
    )
    (record,) = [r for r in caplog.records if r.name == "reqgate.audit"]
    assert record.actor == "ops-anna" and record.deleted == done.json()["deleted"]
    assert "Anmeldung" not in caplog.text  # audited without text
    assert client.get("/api/v1/vector/health").json()["pointsCount"] is None
    assert client.get("/api/v1/vector/source/full", params={"source": "spec.md"}).status_code == 404


def test_reset_with_admin_api_disabled_403(make_settings: SettingsFactory) -> None:
    client = _client(make_settings())
    response = client.post("/api/v1/vector/reset?confirm=true", headers=ADMIN)
    assert response.status_code == 403 and response.json()["error"] == "forbidden"


def test_disk_knowledge_base_survives_a_restart(
    make_settings: SettingsFactory, tmp_path: Path
) -> None:
    settings = make_settings(qdrant_path=tmp_path / "qdrant")
    app: FastAPI = app_v2.main.create_app(settings)
    with TestClient(app) as client:  # its lifespan closes the client: the path is released
        _upload(client, ("spec.md", SPEC.encode()))
    with TestClient(app_v2.main.create_app(settings)) as client:
        hits = client.get("/api/v1/rag/search", params={"query": "failed logins"}).json()["hits"]
    assert hits and "five failed logins" in hits[0]["payload"]["text"]


def test_search_unknown_collection_404(make_settings: SettingsFactory) -> None:
    response = _client(make_settings()).get(
        "/api/v1/rag/search", params={"query": "x", "collection": "other"}
    )
    assert response.status_code == 404 and response.json()["error"] == "not_found"


def test_vector_routes_unreachable_server_503(make_settings: SettingsFactory) -> None:
    client = _client(make_settings(qdrant_url=f"http://127.0.0.1:{free_port()}"))
    for response in (
        client.get("/api/v1/vector/health"),
        client.get("/api/v1/rag/search", params={"query": "login"}),
        client.post("/api/v1/files/ingest", files=[("files", ("a.md", b"The system shall."))]),
    ):
        assert response.status_code == 503, response.text
        body = response.json()
        assert (
            body["error"] == "unavailable" and body["message"] == "the vector store is unavailable"
        )
        assert response.headers["retry-after"] == "5"
