"""The ramp check (issue 15): no ramp of v2 while shadow mode shows mismatches, unless forced."""

from __future__ import annotations

from starlette.testclient import TestClient
from starlette.types import Receive, Scope, Send

from tests.gateway.conftest import ADMIN, GatewayFactory
from tests.gateway.test_shadow import counted, same_json

FLAGS = "/api/runtime-config/flags"


def _with_mismatches(make_gateway: GatewayFactory, mismatched: int, matched: int) -> TestClient:
    """A gateway whose shadow report holds these comparisons (v2 answers differently to
    requests marked X-Differ)."""
    same, differs = same_json({"score": 1}), same_json({"score": 0.1})

    async def v2(scope: Scope, receive: Receive, send: Send) -> None:
        marked = any(name == b"x-differ" for name, _ in scope["headers"])
        await (differs if marked else same)(scope, receive, send)

    client = make_gateway(v1=same, v2=v2, shadow_percent=100)
    client.__enter__()
    for n in range(mismatched + matched):
        headers = {"X-Differ": "1"} if n < mismatched else {}
        client.post("/api/v1/evaluations", json={"requirementText": "t"}, headers=headers)
    if mismatched:
        assert counted(client, "mismatch", mismatched) == mismatched
    if matched:
        assert counted(client, "match", matched) == matched
    return client


def test_ramp_refused_above_the_mismatch_rate(make_gateway: GatewayFactory) -> None:
    client = _with_mismatches(make_gateway, mismatched=1, matched=9)  # 10 % > 2 %
    response = client.patch(FLAGS, json={"canaryPercent": 10}, headers=ADMIN)
    assert response.status_code == 409
    body = response.json()
    assert body["error"] == "conflict" and "0.100 > SHADOW_MAX_MISMATCH 0.020" in body["message"]
    assert body["details"] == {"mismatchRate": 0.1, "maxMismatch": 0.02, "compared": 10}
    flag_on = client.patch(FLAGS, json={"featureFlagUseV2": True}, headers=ADMIN)
    assert flag_on.status_code == 409
    flags = client.get("/api/runtime-config").json()["flags"]
    assert (flags["canaryPercent"], flags["featureFlagUseV2"]) == (0, False)
    client.__exit__(None, None, None)


def test_forced_ramp_goes_through_and_is_audited(make_gateway: GatewayFactory) -> None:
    client = _with_mismatches(make_gateway, mismatched=1, matched=9)
    body = {"canaryPercent": 10, "force": True, "reason": "hotfix"}
    response = client.patch(FLAGS, json=body, headers=ADMIN)
    assert response.status_code == 200 and response.json()["flags"]["canaryPercent"] == 10
    audit = client.get(f"{FLAGS}/audit", headers=ADMIN).json()["items"][0]
    assert audit["reason"].startswith("hotfix [forced past the ramp check: shadow mismatch rate")
    client.__exit__(None, None, None)


def test_no_ramp_is_always_allowed(make_gateway: GatewayFactory) -> None:
    client = _with_mismatches(make_gateway, mismatched=5, matched=0)
    assert client.patch(FLAGS, json={"shadowPercent": 50}, headers=ADMIN).status_code == 200
    assert client.patch(FLAGS, json={"canaryPercent": 0}, headers=ADMIN).status_code == 200
    assert client.post(f"{FLAGS}/rollback", headers=ADMIN).status_code == 200
    client.__exit__(None, None, None)


def test_ramp_allowed_within_the_rate_or_without_evidence(make_gateway: GatewayFactory) -> None:
    with make_gateway() as client:  # no comparisons at all: nothing to hold the ramp back
        assert client.patch(FLAGS, json={"canaryPercent": 5}, headers=ADMIN).status_code == 200
    client = _with_mismatches(make_gateway, mismatched=0, matched=5)
    assert client.patch(FLAGS, json={"canaryPercent": 25}, headers=ADMIN).status_code == 200
    client.__exit__(None, None, None)
