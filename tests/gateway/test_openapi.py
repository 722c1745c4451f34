"""The gateway's published OpenAPI document: every route a client can call on port 8087
(issue 12, defect 14: it held only the gateway's own routes, and v2's gaps showed in it)."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest
from starlette.testclient import TestClient

import gateway.app
from gateway.routes import SHARED_ROUTES
from tests.conftest import isolated_settings
from tests.gateway.conftest import ADMIN_TOKEN
from tests.gateway.fakes import answering


@pytest.fixture(scope="module")
def built_document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Built once per module (~0.3 s): it depends on the code and the settings only; v1 and
    v2 are the make_gateway fakes (the document is the gateway's own merge of v2's routes)."""
    settings = isolated_settings(tmp_path_factory.mktemp("openapi"), admin_token=ADMIN_TOKEN)
    app = gateway.app.create_app(settings, v1=answering("v1"), v2=answering("v2"))
    return TestClient(app).get("/openapi.json").json()


@pytest.fixture
def document(built_document: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(built_document)  # a test that changed it could not reach another


def test_document_names_shared_v2_only_and_gateway_routes(document: dict[str, Any]) -> None:
    paths = document["paths"]
    for method, path in SHARED_ROUTES:
        assert method.lower() in paths[path], (method, path)
    assert "post" in paths["/api/v1/validate/refine"]
    assert "post" in paths["/api/v1/mining/extract"]
    assert "post" in paths["/api/v1/mining/conflicts"]
    for own in ("/livez", "/readyz", "/health", "/metrics", "/api/runtime-config/flags"):
        assert own in paths


def test_gateways_health_is_the_one_documented(
    document: dict[str, Any], client: TestClient
) -> None:
    """v2 has a /health of its own; a client of port 8087 reaches the gateway's."""
    operation = document["paths"]["/health"]["get"]
    assert operation["tags"] == ["ops"]
    assert set(client.get("/health").json()) >= {"variants", "flags", "fallbackToV1"}


def test_document_states_the_limits_core_enforces(document: dict[str, Any]) -> None:
    paths = document["paths"]
    evaluation = paths["/api/v1/evaluations"]["post"]["requestBody"]["content"]
    text = evaluation["application/json"]["schema"]["properties"]["requirementText"]
    assert text["minLength"] == 1 and text["pattern"] == r"\S"
    (language,) = paths["/api/v1/criteria"]["get"]["parameters"]
    assert "de" in json.dumps(language["schema"]) and "en" in json.dumps(language["schema"])
    for route in ("/api/v1/corrections/apply", "/api/v1/corrections/text"):
        assert "404" in paths[route]["post"]["responses"], route
    for route in ("/api/runtime-config/flags", "/api/runtime-config/flags/audit"):
        responses = next(iter(paths[route].values()))["responses"]
        assert {"401", "403"} <= set(responses), route
    assert "503" in paths["/readyz"]["get"]["responses"]
    assert "text/plain" in paths["/metrics"]["get"]["responses"]["200"]["content"]


def test_document_has_no_422_and_every_ref_resolves(document: dict[str, Any]) -> None:
    text = json.dumps(document)
    assert '"422"' not in text
    refs = set(re.findall(r'"#/components/schemas/([^"]+)"', text))
    assert refs <= set(document["components"]["schemas"])
