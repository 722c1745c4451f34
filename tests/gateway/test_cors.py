"""CORS on every shared route (DESIGN §6) when CORS_ORIGINS is set, and none without it."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

import gateway.app
from core.exceptions import Unavailable
from core.settings import Settings
from gateway.routes import SHARED_ROUTES
from tests.gateway.conftest import GatewayFactory
from tests.gateway.fakes import raising

ORIGIN = "https://spec.example"
PREFLIGHT = {"Origin": ORIGIN, "Access-Control-Request-Headers": "content-type,x-user-id"}


@pytest.fixture
def cors_client(make_settings: type[Settings]) -> TestClient:
    return TestClient(gateway.app.create_app(make_settings(cors_origins=[ORIGIN])))


@pytest.mark.parametrize("method, path", sorted(SHARED_ROUTES))
def test_preflight_shared_route_allows_origin(
    cors_client: TestClient, method: str, path: str
) -> None:
    response = cors_client.options(
        path, headers={**PREFLIGHT, "Access-Control-Request-Method": method}
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert method in response.headers["access-control-allow-methods"]
    assert "x-user-id" in response.headers["access-control-allow-headers"].lower()
    assert response.headers["access-control-allow-credentials"] == "true"
    assert response.headers["x-request-id"]


@pytest.mark.parametrize("use_v2", [False, True], ids=["v1", "v2"])
def test_cors_headers_on_answer_expose_routing_headers(
    make_settings: type[Settings], use_v2: bool
) -> None:
    settings = make_settings(cors_origins=[ORIGIN], feature_flag_use_v2=use_v2)
    response = TestClient(gateway.app.create_app(settings)).post(
        "/api/v1/evaluations",
        json={"requirementText": "The system shall start."},
        headers={"Origin": ORIGIN},
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert "X-Variant" in response.headers["access-control-expose-headers"]
    assert response.headers["x-variant"] == ("v2" if use_v2 else "v1")


@pytest.mark.parametrize(
    ("error", "status"),
    [(Unavailable("v2 upstream unreachable"), 503), (RuntimeError("bug"), 500)],
    ids=["unavailable", "internal"],
)
def test_cors_headers_on_gateway_error_answer(
    make_gateway: GatewayFactory, error: Exception, status: int
) -> None:
    """An error the gateway answers itself (v2 failed, no fallback on a v2-only route) reaches
    a client on another origin as that error, not as a blocked response."""
    client = make_gateway(v2=raising(error), cors_origins=[ORIGIN])
    response = client.post("/api/v1/vector/reset?confirm=true", headers={"Origin": ORIGIN})
    assert response.status_code == status
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert "X-Request-Id" in response.headers["access-control-expose-headers"]
    assert response.json()["requestId"] == response.headers["x-request-id"]


def test_cors_headers_on_v1_body_too_large(make_settings: type[Settings]) -> None:
    """v1's body limit is the gateway's (its WSGI bridge refuses): a client of the original
    system sending too large a batch reads the 413."""
    settings = make_settings(cors_origins=[ORIGIN], max_body_bytes=1024)
    response = TestClient(gateway.app.create_app(settings)).post(
        "/api/v1/validate/batch", json=["x" * 2000], headers={"Origin": ORIGIN}
    )
    assert response.status_code == 413
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert response.headers["x-variant"] == "v1"


def test_preflight_unknown_origin_refused(cors_client: TestClient) -> None:
    response = cors_client.options(
        "/api/v1/evaluations",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers
    body = response.json()
    assert body["error"] == "invalid_request" and "origin" in body["message"].lower()
    assert body["requestId"] == response.headers["x-request-id"]


def test_cors_absent_without_origins(make_settings: type[Settings]) -> None:
    client = TestClient(gateway.app.create_app(make_settings()))
    response = client.get("/api/v1/criteria", headers={"Origin": ORIGIN})
    assert "access-control-allow-origin" not in response.headers
