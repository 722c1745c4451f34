"""Shadow mode: mirrors are compared and counted, and never touch the client's answer."""

from __future__ import annotations

import re
import time

import pytest
from starlette.testclient import TestClient
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.shadow import normalized
from tests.gateway.conftest import GatewayFactory
from tests.gateway.fakes import raising, send_json


def same_json(payload: object) -> ASGIApp:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        while (await receive()).get("more_body"):
            pass
        await send_json(send, payload)

    return app


def _count(client: TestClient, outcome: str) -> float:
    for _ in range(100):  # the mirror runs after the answer: wait for it, boundedly
        text = client.get("/metrics").text
        pattern = rf'reqgate_shadow_requests_total{{outcome="{outcome}",route="[^"]+"}} ([\d.]+)'
        if match := re.search(pattern, text):
            return float(match.group(1))
        time.sleep(0.01)
    return 0.0


@pytest.mark.parametrize(
    ("v2", "outcome"),
    [
        (same_json({"items": [1], "evaluationId": "a", "latencyMs": 3}), "match"),
        (same_json({"items": [2]}), "mismatch"),
        (raising(), "error"),
    ],
)
def test_shadow_compare_counts_outcome(
    make_gateway: GatewayFactory, v2: ASGIApp, outcome: str
) -> None:
    v1 = same_json({"items": [1], "evaluationId": "b", "latencyMs": 9})
    with make_gateway(v1=v1, v2=v2, shadow_percent=100) as client:  # one loop for mirrors
        response = client.post("/api/v1/evaluations", json={"requirementText": "t"})
        assert response.json()["items"] == [1]
        assert response.headers["X-Variant"] == "v1"
        assert _count(client, outcome) == 1.0


def test_shadow_off_mirrors_nothing(make_gateway: GatewayFactory) -> None:
    with make_gateway(v2=raising()) as client:
        client.get("/api/v1/criteria")
        assert "reqgate_shadow_requests_total{" not in client.get("/metrics").text


def test_normalize_json_drops_volatile_keys() -> None:
    assert normalized([{"requestId": 1, "a": {"durationMs": 2, "b": 3}}]) == [{"a": {"b": 3}}]
