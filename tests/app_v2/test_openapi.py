"""v2's OpenAPI document describes the bodies and errors that core parses and raises."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest
from starlette.testclient import TestClient

import app_v2.main
from core.contract.wire import ErrorPublic
from core.settings import Settings
from tests.conftest import isolated_settings

ERROR_REF = "#/components/schemas/ErrorPublic"


@pytest.fixture(scope="module")
def built_document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Built once per module (~0.3 s): it depends on the code and the settings only."""
    settings = isolated_settings(tmp_path_factory.mktemp("openapi"))
    return TestClient(app_v2.main.create_app(settings)).get("/openapi.json").json()


@pytest.fixture
def document(built_document: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(built_document)  # a test that changed it could not reach another


def _posts(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {path: ops["post"] for path, ops in document["paths"].items() if "post" in ops}


def test_openapi_post_routes_document_json_body_and_errors(document: dict[str, Any]) -> None:
    # the knowledge base's uploads are multipart and its reset has no body (tests/app_v2/vectors)
    posts = {
        path: operation
        for path, operation in _posts(document).items()
        if "knowledge base" not in operation["tags"]
    }
    assert len(posts) == 14
    for path, operation in posts.items():
        content = operation["requestBody"]["content"]
        assert content["application/json"]["schema"]["type"] == "object", path
        for status in ("400", "413", "415"):
            schema = operation["responses"][status]["content"]["application/json"]["schema"]
            assert schema == {"$ref": ERROR_REF}, (path, status)


def test_openapi_batch_routes_accept_markdown_or_no_body(document: dict[str, Any]) -> None:
    body = _posts(document)["/api/v1/batch/evaluate"]["requestBody"]
    assert body["required"] is False
    assert set(body["content"]) == {"application/json", "text/markdown"}
    assert "404" in _posts(document)["/api/v1/batch/evaluate"]["responses"]


def test_openapi_mining_route_accepts_json_markdown_or_files(document: dict[str, Any]) -> None:
    operation = _posts(document)["/api/v1/mining/extract"]
    assert operation["requestBody"]["required"] is True
    content = operation["requestBody"]["content"]
    assert set(content) == {"application/json", "text/markdown", "multipart/form-data"}
    schema = content["application/json"]["schema"]
    assert set(schema["properties"]) == {"text", "source", "language", "evaluate", "llm"}
    form = content["multipart/form-data"]["schema"]
    assert set(form["properties"]) == {"files", "language", "evaluate", "llm"}
    assert form["required"] == ["files"]
    assert form["properties"]["files"]["items"]["format"] == "binary"
    assert "MAX_UPLOAD_BYTES" in operation["responses"]["413"]["description"]


def test_openapi_conflicts_route_names_items_or_source(document: dict[str, Any]) -> None:
    operation = _posts(document)["/api/v1/mining/conflicts"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert set(schema["properties"]) == {"items", "source", "language"}
    assert {"400", "404", "409", "413", "415", "503"} <= set(operation["responses"])


def test_openapi_evaluation_body_names_its_fields(document: dict[str, Any]) -> None:
    schema = _posts(document)["/api/v1/evaluations"]["requestBody"]["content"]["application/json"]
    assert schema["schema"]["required"] == ["requirementText"]
    assert set(schema["schema"]["properties"]) == {"requirementText", "context", "criteriaKeys"}


def test_openapi_has_no_422_and_every_ref_resolves(document: dict[str, Any]) -> None:
    text = json.dumps(document)
    assert '"422"' not in text  # edge.errors answers validation errors with 400
    refs = set(re.findall(r'"#/components/schemas/([^"]+)"', text))
    assert refs <= set(document["components"]["schemas"])
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_error_public_matches_a_real_error_body(settings: Settings) -> None:
    client = TestClient(app_v2.main.create_app(settings))
    response = client.post(
        "/api/v1/evaluations", content=b"{", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    error = ErrorPublic.model_validate(response.json())
    assert error.error == "invalid_request" and error.request_id


def test_openapi_ingest_stream_documents_upload_lines_and_errors(
    document: dict[str, Any],
) -> None:
    posts = _posts(document)
    stream = posts["/api/v1/files/ingest/stream"]
    assert stream["requestBody"] == posts["/api/v1/files/ingest"]["requestBody"]
    assert set(stream["requestBody"]["content"]) == {"multipart/form-data"}
    ok = stream["responses"]["200"]
    assert set(ok["content"]) == {"application/x-ndjson", "text/event-stream"}
    for event in ("extracted", "embedded|upserted", "error", "end"):
        assert f"event: {event}" in ok["description"]
    for status in ("400", "409", "413", "415", "503"):
        schema = stream["responses"][status]["content"]["application/json"]["schema"]
        assert schema == {"$ref": ERROR_REF}, status


def test_openapi_search_documents_the_degraded_mark(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert "degraded" in schemas["SearchPublic"]["properties"]
    assert "degraded" not in schemas["SearchPublic"].get("required", [])
    assert set(schemas["DegradedPublic"]["properties"]) == {
        "search",
        "reason",
        "message",
        "retryAfterS",
    }
