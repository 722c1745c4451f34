"""The one request-id middleware: the client's id if sane, else a new one, everywhere."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient
from starlette.types import Receive, Scope, Send

import app_v2.main
from core.logging import request_id_var
from core.settings import Settings
from edge.request_id import RequestIdMiddleware
from tests.gateway.fakes import send_json


async def _seer(scope: Scope, receive: Receive, send: Send) -> None:
    headers = [v.decode() for k, v in scope["headers"] if k == b"x-request-id"]
    await send_json(send, {"headers": headers, "var": request_id_var.get()}, status=404)


def _client(headers: dict[str, str] | None = None) -> TestClient:
    return TestClient(RequestIdMiddleware(_seer, headers=headers))


def test_keep_request_id_sane_in_scope_var_and_response() -> None:
    response = _client().get("/", headers={"X-Request-Id": "rid-1"})
    assert response.json() == {"headers": ["rid-1"], "var": "rid-1"}
    assert response.headers["X-Request-Id"] == "rid-1"


@pytest.mark.parametrize("inbound", [None, "a b", "x" * 129])
def test_replace_request_id_missing_or_insane(inbound: str | None) -> None:
    headers = {} if inbound is None else {"X-Request-Id": inbound}
    response = _client().get("/", headers=headers)
    rid = response.headers["X-Request-Id"]
    assert len(rid) == 32
    assert response.json() == {"headers": [rid], "var": rid}


def test_set_fixed_headers_beside_the_id() -> None:
    response = _client(headers={"X-Variant": "v2"}).get("/")
    assert response.headers["X-Variant"] == "v2"
    assert response.headers.get_list("X-Request-Id") == [response.json()["var"]]


@pytest.mark.parametrize("inbound", [None, "rid-500"])
def test_v2_unexpected_error_carries_the_request_id(
    inbound: str | None, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Starlette answers an unhandled error in its outermost layer, outside the request-id
    middleware: the 500 had no X-Request-Id and its body said requestId "-"."""
    import app_v2.routers.evaluations as v2_evaluations

    def broken(**_kwargs: object) -> None:
        raise RuntimeError("engine exploded")

    monkeypatch.setattr(v2_evaluations, "evaluate", broken)
    client = TestClient(app_v2.main.create_app(settings), raise_server_exceptions=False)
    headers = {} if inbound is None else {"X-Request-Id": inbound}
    response = client.post("/api/v1/evaluations", json={"requirementText": "x"}, headers=headers)
    assert response.status_code == 500
    rid = response.json()["requestId"]
    assert rid != "-" and response.headers["X-Request-Id"] == rid
    assert inbound is None or rid == inbound
    assert response.headers["X-Variant"] == "v2"
