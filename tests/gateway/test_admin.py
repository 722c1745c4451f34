"""Acceptance 5: admin auth, the override header, and the audit of every change."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.gateway.conftest import ADMIN, ADMIN_TOKEN, GatewayFactory
from tests.utils.local_models import hide_semantic_extra

FLAGS = "/api/runtime-config/flags"
ADMIN_CALLS = [
    ("PATCH", FLAGS, {"canaryPercent": 10}),
    ("POST", FLAGS + "/rollback", None),
    ("GET", FLAGS + "/audit", None),
    ("GET", "/api/runtime-config/ops", None),
]


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_CALLS)
def test_call_admin_api_without_token_configured_403(
    make_gateway: GatewayFactory, method: str, path: str, body: object
) -> None:
    client = make_gateway(admin_token=None)
    response = client.request(method, path, json=body, headers=ADMIN)
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"
    assert response.json()["message"] == "admin API disabled"


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer wrong-token-0123456789",
        f"Basic {ADMIN_TOKEN}",
        f"Bearer {ADMIN_TOKEN}x",
        "Bearer",
    ],
)
@pytest.mark.parametrize(("method", "path", "body"), ADMIN_CALLS)
def test_call_admin_api_wrong_token_401(
    client: TestClient, method: str, path: str, body: object, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = client.request(method, path, json=body, headers=headers)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"


@pytest.mark.parametrize(
    ("headers", "variant", "reason"),
    [
        ({"X-Variant-Override": "v2"}, "v1", "default"),
        (
            {"X-Variant-Override": "v2", "Authorization": "Bearer nope-nope-nope-nope"},
            "v1",
            "default",
        ),
        ({"X-Variant-Override": "v2", **ADMIN}, "v2", "override"),
        ({"X-Variant-Override": "V2", **ADMIN}, "v2", "override"),
        ({"X-Variant-Override": "v3", **ADMIN}, "v1", "default"),
    ],
)
def test_route_override_needs_admin_token(
    client: TestClient, headers: dict[str, str], variant: str, reason: str
) -> None:
    response = client.get("/api/v1/criteria", headers=headers)
    assert (response.headers["X-Variant"], response.headers["X-Variant-Reason"]) == (
        variant,
        reason,
    )
    assert response.json()["served"] == variant


def test_route_override_v1_beats_flag(make_gateway: GatewayFactory) -> None:
    client = make_gateway(feature_flag_use_v2=True)
    response = client.get("/api/v1/criteria", headers={"X-Variant-Override": "v1", **ADMIN})
    assert response.headers["X-Variant-Reason"] == "override"
    assert response.json()["served"] == "v1"


def test_audit_flag_changes_old_and_new(client: TestClient) -> None:
    client.patch(
        FLAGS, json={"canaryPercent": 25, "reason": "ramp"}, headers={**ADMIN, "X-Actor": "alice"}
    )
    client.patch(FLAGS, json={"featureFlagUseV2": True, "shadowPercent": 5}, headers=ADMIN)
    client.post(FLAGS + "/rollback", json={"reason": "errors up"}, headers=ADMIN)
    items = client.get(FLAGS + "/audit", headers=ADMIN).json()["items"]
    rollback, flip, ramp, start = items
    assert start["source"] == "env" and start["new"]["canaryPercent"] == 0
    assert (ramp["actor"], ramp["reason"], ramp["source"]) == ("alice", "ramp", "api")
    assert ramp["old"]["canaryPercent"] == 0 and ramp["new"]["canaryPercent"] == 25
    assert flip["old"] == {"featureFlagUseV2": False, "canaryPercent": 25, "shadowPercent": 0}
    assert flip["new"] == {"featureFlagUseV2": True, "canaryPercent": 25, "shadowPercent": 5}
    assert rollback["new"] == {"featureFlagUseV2": False, "canaryPercent": 0, "shadowPercent": 0}
    assert rollback["reason"] == "errors up"
    assert [e["epoch"] for e in items] == [start["epoch"] + n for n in (3, 2, 1, 0)]


def test_update_flags_shows_epoch_and_routes_at_once(client: TestClient) -> None:
    before = client.get("/api/runtime-config").json()["flags"]
    body = client.patch(FLAGS, json={"featureFlagUseV2": True}, headers=ADMIN).json()
    assert body["changed"] is True
    assert body["flags"]["epoch"] == before["epoch"] + 1
    assert body["flags"]["source"] == "api"
    assert client.get("/api/v1/criteria").headers["X-Variant-Reason"] == "flag"
    again = client.patch(FLAGS, json={"featureFlagUseV2": True}, headers=ADMIN).json()
    assert again["changed"] is False and again["flags"]["epoch"] == body["flags"]["epoch"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"canaryPercent": 101},
        {"canaryPercent": -1},
        {"canaryPercent": "30"},
        {"featureFlagUseV2": "yes"},
        {"useV2": True},
        {"shadowPercent": 1.5},
        [1],
        {"canaryPercent": 5, "reason": "x" * 501},
        # issue 12, defect 10: PostgreSQL cannot store NUL (a psycopg DataError, 500)
        {"canaryPercent": 5, "reason": "ramp\u0000"},
    ],
)
def test_update_flags_bad_body_400(client: TestClient, body: object) -> None:
    response = client.patch(FLAGS, json=body, headers=ADMIN)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_read_runtime_config_secrets_as_booleans(make_gateway: GatewayFactory) -> None:
    client = make_gateway(openai_api_key="sk-test-secret-value", canary_percent=7)
    body = client.get("/api/runtime-config").json()
    assert body["flags"]["canaryPercent"] == 7 and body["flags"]["source"] == "env"
    assert body["settings"]["openaiApiKeyPresent"] is True
    assert body["settings"]["adminTokenPresent"] is True
    assert body["settings"]["databaseUrlPresent"] is False
    assert body["settings"]["canaryGroup"] == "reqgate-v2"
    text = client.get("/api/runtime-config").text
    assert "sk-test-secret-value" not in text and ADMIN_TOKEN not in text


@pytest.mark.parametrize(
    "overrides, engine, reason",
    [
        ({}, "heuristic", "heuristic: MOCK_MODE=true"),
        ({"mock_mode": False}, "heuristic", "heuristic: no OPENAI_API_KEY or OPENAI_BASE_URL"),
        (
            {"mock_mode": False, "openai_base_url": "http://127.0.0.1:9/v1"},
            "llm",
            "llm: MOCK_MODE=false and OPENAI_BASE_URL set",
        ),
    ],
)
def test_runtime_config_shows_engine_and_why(
    make_gateway: GatewayFactory, overrides: dict[str, object], engine: str, reason: str
) -> None:
    shown = make_gateway(**overrides).get("/api/runtime-config").json()["engine"]
    assert (shown["engine"], shown["reason"]) == (engine, reason)


def test_runtime_config_shows_embeddings_provider_and_why(
    make_gateway: GatewayFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    hide_semantic_extra(monkeypatch)  # auto would load the model where the extra is installed
    shown = make_gateway(embeddings_provider="auto").get("/api/runtime-config").json()
    assert shown["engine"]["embeddings"] == {
        "provider": "none",
        "reason": "auto: no local provider installed, sparse only",
        "search": "sparse",
    }
    assert shown["settings"]["qdrantApiKeyPresent"] is False


def test_runtime_config_times_are_utc(make_gateway: GatewayFactory) -> None:
    client = make_gateway()
    client.patch(FLAGS, json={"canaryPercent": 3, "reason": "tz"}, headers=ADMIN)
    updated = client.get("/api/runtime-config").json()["flags"]["updatedAt"]
    audit = client.get(f"{FLAGS}/audit", headers=ADMIN).json()
    assert updated.endswith("+00:00")
    entries = audit["items"] if isinstance(audit, dict) else audit
    assert all(entry["at"].endswith("+00:00") for entry in entries)


@pytest.mark.parametrize(
    "url",
    [
        "http://apiuser:pw-s3cret@llm.example/v1?api-key=sk-query-secret",
        "https://llm.example/v1?key=sk-query-secret&deployment=x",
    ],
)
def test_read_runtime_config_redacts_credentials_in_urls(
    make_gateway: GatewayFactory, url: str
) -> None:
    """Issue 12, defect 9: a base URL may carry a user, a password or a key in its query."""
    client = make_gateway(openai_base_url=url)
    text = client.get("/api/runtime-config").text
    assert "pw-s3cret" not in text and "sk-query-secret" not in text and "apiuser" not in text
    shown = client.get("/api/runtime-config").json()["settings"]["openaiBaseUrl"]
    assert shown.startswith(url.split("://")[0] + "://") and "llm.example/v1" in shown
