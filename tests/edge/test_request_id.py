"""The one request-id middleware: the client's id if sane, else a new one, everywhere."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient
from starlette.types import Receive, Scope, Send

from core.logging import request_id_var
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
