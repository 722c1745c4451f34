"""GET /api/runtime-config/ops: the ops page's flags, recent traffic per variant and audit."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.gateway.conftest import ADMIN, GatewayFactory
from tests.gateway.fakes import answering

OPS = "/api/runtime-config/ops"
OVERRIDE = {
    "v1": {**ADMIN, "X-Variant-Override": "v1"},
    "v2": {**ADMIN, "X-Variant-Override": "v2"},
}


def test_read_ops_summary_counts_each_variants_requests_and_errors(
    make_gateway: GatewayFactory,
) -> None:
    client = make_gateway(v2=answering("v2", status=503), v2_fallback_to_v1=False)
    for _ in range(3):
        client.get("/api/v1/criteria", headers=OVERRIDE["v1"])
    client.get("/api/v1/criteria", headers=OVERRIDE["v2"])
    client.get("/health")  # the gateway's own routes are not counted
    response = client.get(OPS, headers=ADMIN)
    assert response.status_code == 200 and response.headers["X-Variant"] == "gateway"
    body = response.json()
    v1, v2 = body["variants"]["v1"], body["variants"]["v2"]
    assert (v1["requests"], v1["errors"], v1["errorRate"]) == (3, 0, 0.0)
    assert (v2["requests"], v2["errors"], v2["errorRate"]) == (1, 1, 1.0)
    assert v1["p95Ms"] > 0 and v1["ratePerMin"] == 0.2  # 3 requests over 15 minutes
    assert body["windowMinutes"] == 15 and len(v1["minutes"]) == 15
    assert (
        set(body["shadow"]) == {"match", "mismatch", "noise", "error", "dropped", "skipped"}
        and body["fallbacks"] == 0
    )


def test_read_ops_summary_shows_flags_epoch_and_the_audit_newest_first(
    client: TestClient,
) -> None:
    client.patch(
        "/api/runtime-config/flags", json={"canaryPercent": 25, "reason": "ramp"}, headers=ADMIN
    )
    client.post("/api/runtime-config/flags/rollback", headers=ADMIN)
    body = client.get(OPS, params={"audit": 2, "minutes": 1}, headers=ADMIN).json()
    assert body["flags"]["canaryPercent"] == 0 and body["flags"]["epoch"] >= 3
    assert [entry["reason"] for entry in body["audit"]] == ["rollback", "ramp"]
    assert body["audit"][1]["new"]["canaryPercent"] == 25
    assert "auditError" not in body and len(body["variants"]["v2"]["minutes"]) == 1
    assert client.get(OPS, params={"audit": 0}, headers=ADMIN).json()["audit"] == []


def test_read_ops_summary_counts_fallbacks(make_gateway: GatewayFactory) -> None:
    client = make_gateway(v2=answering("v2", status=500))
    client.get("/api/v1/criteria", headers=OVERRIDE["v2"])
    body = client.get(OPS, headers=ADMIN).json()
    assert body["fallbacks"] == 1 and body["variants"]["v1"]["requests"] == 1


def test_read_ops_summary_bad_window_400(client: TestClient) -> None:
    for params in ({"minutes": 0}, {"minutes": 61}, {"audit": 101}):
        response = client.get(OPS, params=params, headers=ADMIN)
        assert response.status_code == 400 and response.json()["error"] == "invalid_request"
