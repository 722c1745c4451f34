"""v2 out of process: the httpx proxy forwards, streams, and fails over cleanly."""

from __future__ import annotations

import httpx
import pytest

from gateway.upstream import HttpUpstream
from tests.gateway.conftest import GatewayFactory
from tests.gateway.fakes import answering, serving
from tests.utils.server import free_port


def test_proxy_forwards_request_id_query_and_body(make_gateway: GatewayFactory) -> None:
    with serving(answering("remote-v2")) as upstream_url:
        client = make_gateway(v2=HttpUpstream(upstream_url, timeout_s=5), feature_flag_use_v2=True)
        response = client.post(
            "/api/v1/evaluations?x=1",
            json={"requirementText": "t"},
            headers={"X-Request-Id": "rid-up"},
        )
    body = response.json()
    assert body["served"] == "remote-v2"
    assert body["requestIdHeader"] == "rid-up" == response.headers["X-Request-Id"]
    assert body["body"] == '{"requirementText":"t"}'
    assert response.headers["X-Variant"] == "v2"


def test_proxy_unreachable_falls_back_to_v1(make_gateway: GatewayFactory) -> None:
    client = make_gateway(
        v2=HttpUpstream(f"http://127.0.0.1:{free_port()}", timeout_s=2), feature_flag_use_v2=True
    )
    response = client.post("/api/v1/evaluations", json={"requirementText": "t"})
    assert response.json()["served"] == "v1"
    assert response.headers["X-Variant-Reason"] == "fallback"


def test_proxy_unreachable_v2_only_route_503(make_gateway: GatewayFactory) -> None:
    client = make_gateway(v2=HttpUpstream(f"http://127.0.0.1:{free_port()}", timeout_s=2))
    response = client.get("/api/v2/reports", headers={"X-Request-Id": "rid-503"})
    assert response.status_code == 503
    assert response.json() == {
        "error": "unavailable",
        "message": "v2 upstream unreachable",
        "requestId": "rid-503",
    }
    assert response.headers["X-Variant"] == "v2"


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (httpx.ReadTimeout("slow"), "v2 upstream timed out"),
        (httpx.ConnectError("refused"), "v2 upstream unreachable"),
    ],
)
def test_proxy_maps_httpx_errors(
    make_gateway: GatewayFactory, error: Exception, message: str
) -> None:
    def fail(_request: httpx.Request) -> httpx.Response:
        raise error

    upstream = HttpUpstream("http://v2.invalid", timeout_s=1, transport=httpx.MockTransport(fail))
    client = make_gateway(v2=upstream, v2_fallback_to_v1=False)
    assert client.get("/api/v2/x").json()["message"] == message
