"""POST /api/v1/mining/conflicts: v2 only; a list of requirements or an ingested source; pairs
by index and id, never the requirements' text; limits in the one error shape."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

import gateway.app
from core.settings import Settings
from core.vectors import close_clients
from tests.conftest import SettingsFactory
from tests.utils.llm import leaked

CONFLICTS = "/api/v1/mining/conflicts"
MARK = f"Zanzibar{secrets.token_hex(4)}"
ITEMS = [
    f"The {MARK} search shall display results within 2 seconds.",
    "Das System muss jede Anmeldung protokollieren.",
    f"The {MARK} search shall display results within 5 seconds.",
    "Das System darf keine Anmeldung protokollieren.",
    "The export shall write all open orders to a CSV file.",
    "The export shall write all open orders to CSV files.",
]
SPEC = f"""# Suche

Die {MARK}-Suche muss Ergebnisse innerhalb von 2 Sekunden anzeigen.

Hinweis: die Suche ist neu.

- Die {MARK}-Suche muss Ergebnisse innerhalb von 5 Sekunden anzeigen.
- Das System muss Suchanfragen protokollieren.
"""


@pytest.fixture
def client(contract_settings: Settings) -> Iterator[TestClient]:
    yield TestClient(
        gateway.app.create_app(contract_settings.model_copy(update={"max_batch_items": 10}))
    )
    close_clients()


def _post(client: TestClient, body: Any, status: int = 200) -> dict[str, Any]:
    response = client.post(CONFLICTS, json=body)
    assert response.status_code == status, response.text
    assert (response.headers["X-Variant"], response.headers["X-Variant-Reason"]) == (
        "v2",
        "v2-only",
    )
    return response.json()  # type: ignore[no-any-return]


def test_conflicts_of_items_by_index_kind_and_reason(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        body = _post(client, {"items": ITEMS})
    assert body["count"] == 6 and "requirements" not in body
    assert [(p["a"], p["b"], p["kind"]) for p in body["pairs"]] == [
        (0, 2, "conflict"),
        (1, 3, "conflict"),
        (4, 5, "duplicate"),
    ]
    assert body["pairs"][0]["reason"] == "contradicting bounds: <= 2 s vs <= 5 s"
    assert all(0 < p["similarity"] <= 1 for p in body["pairs"])
    assert MARK not in str(body) and not leaked(caplog.records, MARK)
    assert _post(client, ITEMS) == body  # a bare list, as validate/batch takes


def test_conflicts_of_an_ingested_source_name_mined_requirements(client: TestClient) -> None:
    ingest = client.post("/api/v1/files/ingest", files=[("files", ("suche.md", SPEC.encode()))])
    assert ingest.status_code == 200, ingest.text
    body = _post(client, {"source": "suche.md"})
    mined = client.post(
        "/api/v1/mining/extract",
        json={
            "text": client.get("/api/v1/vector/source/full", params={"source": "suche.md"}).json()[
                "text"
            ],
            "source": "suche.md",
        },
    ).json()["items"]
    assert body["source"] == "suche.md" and body["count"] == 3
    assert body["requirements"] == [{"id": m["id"], "line": m["line"]} for m in mined]
    assert [(p["a"], p["b"], p["kind"]) for p in body["pairs"]] == [(0, 1, "conflict")]
    assert MARK not in str(body)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({}, 400),
        ([], 400),
        ({"items": ["The system shall log."], "source": "a.md"}, 400),
        ({"items": ["  "]}, 400),
        ({"items": ["x" * 501]}, 400),  # MAX_REQUIREMENT_CHARS
        ({"items": ["The system shall log."] * 11}, 400),  # MAX_BATCH_ITEMS
        ({"items": ["The system shall log."], "language": "fr"}, 400),
        ({"source": ""}, 400),
        ({"source": "never-ingested.md"}, 404),
    ],
)
def test_conflicts_bad_requests_in_error_shape(client: TestClient, body: Any, status: int) -> None:
    reply = _post(client, body, status)
    assert set(reply) >= {"error", "message", "requestId"}


def test_conflicts_source_over_max_mining_chars_400(make_settings: SettingsFactory) -> None:
    client = TestClient(gateway.app.create_app(make_settings(max_mining_chars=100)))
    client.post("/api/v1/files/ingest", files=[("files", ("suche.md", SPEC.encode()))])
    reply = _post(client, {"source": "suche.md"}, 400)
    assert reply["details"]["field"] == "source" and reply["details"]["maxChars"] == 100
    close_clients()


def test_conflicts_other_media_type_415_and_large_body_413(client: TestClient) -> None:
    assert (
        client.post(CONFLICTS, content=b"x", headers={"Content-Type": "text/plain"}).status_code
        == 415
    )
    big = client.post(
        CONFLICTS,
        content=b"[" + b'"a",' * 3000 + b'"a"]',
        headers={"Content-Type": "application/json"},
    )
    assert (big.status_code, big.json()["error"]) == (413, "payload_too_large")


def test_conflicts_store_down_503(make_settings: SettingsFactory, tmp_path: Path) -> None:
    settings = make_settings(qdrant_url="http://127.0.0.1:9", qdrant_path=tmp_path / "q")
    client = TestClient(gateway.app.create_app(settings))
    reply = client.post(CONFLICTS, json={"source": "suche.md"})
    assert (reply.status_code, reply.json()["error"]) == (503, "unavailable")
    assert "Retry-After" in reply.headers
    assert client.post(CONFLICTS, json=ITEMS).status_code == 200  # a list needs no store
