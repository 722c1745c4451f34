"""Shadow mode: mirrors are compared and counted, and never touch the client's answer."""

from __future__ import annotations

import asyncio
import re
import time

import pytest
from starlette.testclient import TestClient
from starlette.types import ASGIApp, Receive, Scope, Send

from core.dry_run import is_dry_run
from tests.gateway.conftest import ADMIN, GatewayFactory
from tests.gateway.fakes import raising, send_json


def same_json(payload: object, seen: list[bool] | None = None) -> ASGIApp:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        while (await receive()).get("more_body"):
            pass
        if seen is not None:
            seen.append(is_dry_run())
        await send_json(send, payload)

    return app


def slow_json(payload: object, seconds: float) -> ASGIApp:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        while (await receive()).get("more_body"):
            pass
        await asyncio.sleep(seconds)
        await send_json(send, payload)

    return app


def counted(client: TestClient, result: str, at_least: float = 1.0) -> float:
    """The comparisons with this result; waits (boundedly) since mirrors run after the answer."""
    pattern = rf'reqgate_shadow_comparisons_total{{result="{result}",route="[^"]+"}} ([\d.]+)'
    found = 0.0
    for _ in range(300):
        text = client.get("/metrics").text
        found = sum(float(m) for m in re.findall(pattern, text))
        if found >= at_least:
            return found
        time.sleep(0.01)
    return found


EVALUATE = "/api/v1/evaluations"


@pytest.mark.parametrize(
    ("v2", "result"),
    [
        (same_json({"items": [1], "evaluationId": "a", "latencyMs": 3}), "match"),
        (same_json({"items": [2]}), "mismatch"),
        (raising(), "error"),
    ],
)
def test_shadow_compare_counts_result(
    make_gateway: GatewayFactory, v2: ASGIApp, result: str
) -> None:
    v1 = same_json({"items": [1], "evaluationId": "b", "latencyMs": 9})
    with make_gateway(v1=v1, v2=v2, shadow_percent=100) as client:  # one loop for mirrors
        response = client.post(EVALUATE, json={"requirementText": "t"})
        assert response.json()["items"] == [1]
        assert response.headers["X-Variant"] == "v1"
        assert counted(client, result) == 1.0


def test_shadow_off_mirrors_nothing(make_gateway: GatewayFactory) -> None:
    with make_gateway(v2=raising()) as client:
        client.get("/api/v1/criteria")
        assert "reqgate_shadow_comparisons_total{" not in client.get("/metrics").text


def test_mirror_and_noise_probe_run_as_dry_runs(make_gateway: GatewayFactory) -> None:
    seen_v1: list[bool] = []
    seen_v2: list[bool] = []
    v1, v2 = same_json({"a": 1}, seen_v1), same_json({"a": 1}, seen_v2)
    with make_gateway(v1=v1, v2=v2, shadow_percent=100, shadow_noise_percent=100) as client:
        client.post(EVALUATE, json={"requirementText": "t"})
        assert counted(client, "match") == 1.0
    assert seen_v1 == [False, True]  # the client's request, then the noise probe
    assert seen_v2 == [True]


def test_full_budget_drops_and_counts(make_gateway: GatewayFactory) -> None:
    v1 = same_json({"a": 1})
    v2 = slow_json({"a": 1}, 0.5)
    with make_gateway(
        v1=v1, v2=v2, shadow_percent=100, shadow_max_in_flight=1, shadow_noise_percent=0
    ) as client:
        started = time.perf_counter()
        for _ in range(3):
            assert client.post(EVALUATE, json={"requirementText": "t"}).status_code == 200
        assert time.perf_counter() - started < 0.5  # nobody waited for the slow mirror
        assert counted(client, "dropped", at_least=2) == 2.0
        assert counted(client, "match") == 1.0


def test_non_json_answer_is_skipped(make_gateway: GatewayFactory) -> None:
    async def text(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"plain"})

    with make_gateway(v1=text, shadow_percent=100) as client:
        client.get("/api/v1/criteria")
        assert counted(client, "skipped") == 1.0


def test_shadow_report_needs_the_admin_token(make_gateway: GatewayFactory) -> None:
    with make_gateway() as client:
        assert client.get("/api/runtime-config/shadow").status_code == 401
        body = client.get("/api/runtime-config/shadow", headers=ADMIN).json()
        assert body["compared"] == 0 and body["routes"] == {}
        assert body["maxMismatch"] == 0.02 and body["windowS"] == 900


def test_report_explains_a_mismatch_without_values(make_gateway: GatewayFactory) -> None:
    v1 = same_json({"verdict": "pass", "score": 0.9, "details": [{"criterion": "clarity"}]})
    v2 = same_json({"verdict": "fail", "score": 0.5, "details": [{"criterion": "clarity", "x": 1}]})
    with make_gateway(v1=v1, v2=v2, shadow_percent=100) as client:
        client.post(EVALUATE, json={"requirementText": "Secret requirement text"})
        assert counted(client, "mismatch") == 1.0
        report = client.get("/api/runtime-config/shadow", headers=ADMIN).json()
    route = report["routes"][EVALUATE]
    assert route["compared"] == route["mismatched"] == 1 and route["mismatchRate"] == 1.0
    assert route["verdictAgreement"] == 0.0
    assert route["scoreDelta"] == {"mean": 0.4, "p95": 0.4, "count": 1}
    paths = {(p["path"], p["v1Type"], p["v2Type"]) for p in route["topMismatchPaths"]}
    assert paths == {
        ("$.verdict", "string", "string"),
        ("$.score", "number", "number"),
        ("$.details[].*", "missing", "number"),
    }
    assert "Secret" not in str(report) and "pass" not in str(report)


def test_a_fallback_is_skipped(make_gateway: GatewayFactory) -> None:
    with make_gateway(v1=same_json({"a": 1}), v2=raising(), shadow_percent=100) as client:
        response = client.post(
            EVALUATE, json={"requirementText": "t"}, headers=ADMIN | {"X-Variant-Override": "v2"}
        )
        assert response.headers["X-Variant-Reason"] == "fallback"
        assert counted(client, "skipped") == 1.0


def test_a_primary_that_raises_is_skipped(make_gateway: GatewayFactory) -> None:
    with make_gateway(v1=raising(), shadow_percent=100) as client:
        assert client.post(EVALUATE, json={"requirementText": "t"}).status_code == 500
        assert counted(client, "skipped") == 1.0


def test_a_body_too_large_to_keep_is_skipped(make_gateway: GatewayFactory) -> None:
    """The gateway keeps at most MAX_BODY_BYTES of a body for a second app: beyond that the
    mirror would get part of the request, so there is nothing to compare."""
    with make_gateway(v1=same_json({"a": 1}), shadow_percent=100, max_body_bytes=1024) as client:
        text = "x" * 2048
        assert client.post(EVALUATE, json={"requirementText": text}).json() == {"a": 1}
        assert counted(client, "skipped") == 1.0
        assert counted(client, "match", at_least=0.0) == 0.0
