"""Property-based fuzzing of the published documents: no input gives a 5xx, and every answer
is one the document declares (status, content type, body schema).

Schemathesis generates requests (valid bodies, and bodies that break the schema on purpose)
from the gateway's published document, the one a client of port 8087 reads: the shared and
v2-only routes, health, metrics and the runtime-config API, called with the admin token so
the admin operations run too. The gateway is fuzzed on either variant; v1 and v2 alone get
the shared routes of v2's document.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.testclient import TestClient

import app_v2.main
from core.settings import Settings
from gateway.routes import SHARED_PATHS, SHARED_ROUTES
from tests.utils.targets import build_app

ERROR_KEYS = {"error", "message", "requestId"}
EXAMPLES_PER_ROUTE = 8  # bounded: make test must stay under 10 minutes
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
ADMIN_TOKEN = "fuzz-admin-token-0123456789"


def check_operation(operation: Any, headers: dict[str, str]) -> None:
    strategy = operation.as_strategy(generation_mode=GenerationMode.POSITIVE) | (
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)
    )

    @given(strategy)
    @settings(
        max_examples=EXAMPLES_PER_ROUTE,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def conforms(case: Any) -> None:
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS)
        if response.status_code >= 400:
            assert ERROR_KEYS <= set(response.json()), response.text

    conforms()


def fuzz(document: dict[str, Any], app: Any, headers: dict[str, str]) -> int:
    schema = schemathesis.openapi.from_dict(document)
    schema.app = app
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        check_operation(operation, headers)
    return len(operations)


@pytest.mark.parametrize("target_name", ["gateway-v1", "gateway-v2"])
def test_fuzz_gateway_document_every_route(target_name: str, contract_settings: Settings) -> None:
    settings_ = contract_settings.model_copy(update={"admin_token": ADMIN_TOKEN})
    app = build_app(target_name, settings_)
    document = TestClient(app).get("/openapi.json").json()
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    assert fuzz(document, app, admin) >= 20


@pytest.mark.parametrize("target_name", ["flask-v1", "fastapi-v2"])
def test_fuzz_shared_routes_alone(target_name: str, contract_settings: Settings) -> None:
    document = dict(app_v2.main.create_app(contract_settings).openapi())
    document["paths"] = {p: ops for p, ops in document["paths"].items() if p in SHARED_PATHS}
    assert fuzz(document, build_app(target_name, contract_settings), {}) == len(SHARED_ROUTES)
