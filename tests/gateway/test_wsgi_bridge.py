"""The WSGI bridge behaves like a2wsgi for every kind of request and response."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from a2wsgi import WSGIMiddleware
from starlette.testclient import TestClient

from gateway.wsgi_bridge import MAX_BUFFERED_REQUEST, WsgiBridge

StartResponse = Callable[..., Any]


def echo(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
    body = environ["wsgi.input"].read()
    summary = (
        f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}?{environ['QUERY_STRING']} "
        f"len={len(body)} ct={environ.get('CONTENT_TYPE')} x={environ.get('HTTP_X_A')}"
    )
    payload = summary.encode()
    start_response(
        "201 Created",
        [("Content-Type", "text/plain"), ("Content-Length", str(len(payload))), ("X-Multi", "1")],
    )
    return [payload]


def lazy_generator(environ: dict[str, Any], start_response: StartResponse) -> Iterator[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])  # called on first iteration
    yield b"one,"
    yield b""
    yield b"two"


def big_declared(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
    payload = b"x" * 300_000
    start_response("200 OK", [("Content-Length", str(len(payload)))])
    return [payload[:100_000], payload[100_000:]]


@pytest.mark.parametrize("bridge", [WsgiBridge, WSGIMiddleware], ids=["bridge", "a2wsgi"])
@pytest.mark.parametrize("size", [0, 10, MAX_BUFFERED_REQUEST, MAX_BUFFERED_REQUEST + 1])
def test_bridge_echo_same_as_a2wsgi(bridge: Callable[..., Any], size: int) -> None:
    client = TestClient(bridge(echo))
    response = client.post(
        "/p/ä?q=1&r=2", content=b"b" * size, headers={"Content-Type": "text/plain", "X-A": "v"}
    )
    assert response.status_code == 201
    assert response.text == f"POST /p/ä?q=1&r=2 len={size} ct=text/plain x=v".encode().decode(
        "latin-1"
    )
    assert response.headers["x-multi"] == "1"


@pytest.mark.parametrize("app", [lazy_generator, big_declared])
def test_bridge_streamed_bodies_complete(app: Callable[..., Any]) -> None:
    expected = TestClient(WSGIMiddleware(app)).get("/").content  # type: ignore[arg-type]
    assert TestClient(WsgiBridge(app)).get("/").content == expected


def test_bridge_chunked_request_goes_to_a2wsgi() -> None:
    def chunks() -> Iterator[bytes]:
        yield b"a" * 10
        yield b"b" * 5

    response = TestClient(WsgiBridge(echo)).post("/c", content=chunks())
    assert "len=15" in response.text
