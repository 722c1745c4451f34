"""Health, readiness and metrics of the gateway."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from tests.gateway.conftest import ADMIN, GatewayFactory
from tests.utils.server import free_port


def test_livez_answers_ok(client: TestClient) -> None:
    assert client.get("/livez").json() == {"status": "ok"}


@pytest.mark.parametrize("path", ["/readyz", "/ready"])
def test_readyz_ready_names_checks(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "vectors": "ok"}


def test_readyz_unreachable_upstream_503(make_gateway: GatewayFactory) -> None:
    client = make_gateway(v2_upstream_url=f"http://127.0.0.1:{free_port()}")
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["error"] == "unavailable" and "v2Upstream" in body["message"]
    assert body["details"]["checks"]["v2Upstream"].startswith("failed")
    assert body["details"]["checks"]["database"] == "ok"


def test_readyz_unwritable_vector_path_503(make_gateway: GatewayFactory, tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    client = make_gateway(qdrant_path=blocker / "qdrant")
    response = client.get("/ready")
    assert response.status_code == 503
    assert response.json()["message"] == "not ready: vectors"


def test_health_shows_variants_and_flags(make_gateway: GatewayFactory) -> None:
    body = make_gateway(canary_percent=5).get("/health").json()
    assert body["status"] == "ok"
    assert body["variants"] == {"v1": {"mode": "in-process"}, "v2": {"mode": "in-process"}}
    assert body["flags"]["canaryPercent"] == 5 and body["flags"]["epoch"] >= 1


def test_metrics_expose_requests_flags_and_templates(client: TestClient) -> None:
    client.get("/api/v1/criteria")
    client.get("/api/v2/items/123")
    client.get("/no/such/page-4711")
    client.patch("/api/runtime-config/flags", json={"canaryPercent": 40}, headers=ADMIN)
    response = client.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert (
        'http_requests_total{method="GET",route="/api/v1/criteria",status="200",variant="v1"} 1.0'
    ) in text
    assert 'http_request_duration_seconds_bucket{le="0.005",method="GET",route=' in text
    assert "reqgate_canary_percent 40.0" in text
    assert "reqgate_flag_use_v2 0.0" in text
    assert re.search(r"^reqgate_flags_epoch [1-9]", text, re.M)
    assert "reqgate_fallbacks_total" in text or "reqgate_fallbacks" in text
    # no raw paths as labels (the process metrics' values may hold any digits)
    assert not re.search(r'="[^"]*4711', text) and "/api/v2/items/123" not in text
    assert 'route="/runtime-config/flags"' not in text
    assert 'route="/api/runtime-config/flags"' in text  # gateway routes by template


def test_metrics_expose_the_llm_metrics_core_records(client: TestClient) -> None:
    """core/metrics.py records on the default registry; the gateway's /metrics serves it too
    (issue 12, defect 8: none of reqgate_llm_* was exposed)."""
    from core.metrics import LLM_FALLBACKS

    LLM_FALLBACKS.labels("connection_error").inc()
    text = client.get("/metrics").text
    assert 'reqgate_llm_fallbacks_total{reason="connection_error"}' in text
    assert "reqgate_llm_circuit_open " in text and "reqgate_llm_in_flight " in text
    assert text.count("# TYPE http_requests_total counter") == 1
