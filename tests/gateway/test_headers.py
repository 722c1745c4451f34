"""Routing headers on every response, and the request id from client to handler to log."""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from flask import Flask
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.testclient import TestClient
from starlette.types import ASGIApp

import app_v2.main
import gateway.app
from core.contract.wire import FIXED_HEADERS
from core.logging import JsonFormatter, _Handler, _RequestIdFilter, request_id_var
from edge.request_id import RequestIdMiddleware
from gateway.bucketing import bucket_for
from gateway.middleware.request_context import ACCESS_LINE
from gateway.router import router_of
from gateway.wsgi_bridge import WsgiBridge
from tests.conftest import SettingsFactory
from tests.gateway.conftest import GatewayFactory
from tests.gateway.fakes import answering, raising

ROUTING_TAGS = [("X-Request-Id", "rid-500"), ("X-Variant", "v2"), ("X-Variant-Reason", "flag")]


@pytest.mark.parametrize(
    ("method", "path", "status", "variant", "reason"),
    [
        ("GET", "/api/v1/criteria", 200, "v1", "default"),
        ("GET", "/api/v2/anything", 200, "v2", "v2-only"),
        ("GET", "/api/v1/legacy-only", 200, "v1", "v1-only"),
        ("GET", "/health", 200, "gateway", "gateway"),
        ("GET", "/no/such/page", 404, "gateway", "gateway"),
        ("DELETE", "/api/runtime-config/flags", 405, "gateway", "gateway"),
        ("PATCH", "/api/runtime-config/flags", 401, "gateway", "gateway"),
    ],
)
def test_tag_response_every_kind(
    client: TestClient, method: str, path: str, status: int, variant: str, reason: str
) -> None:
    response = client.request(method, path, headers={"X-Request-Id": "rid-1"})
    assert response.status_code == status
    assert response.headers["X-Request-Id"] == "rid-1"
    assert response.headers["X-Variant"] == variant
    assert response.headers["X-Variant-Reason"] == reason
    assert ("X-Variant-Bucket" in response.headers) == (path == "/api/v1/criteria")
    if status >= 400:
        assert response.json()["requestId"] == "rid-1"


@pytest.mark.parametrize("inbound", ["a b", "x" * 129, "<script>", "", "ok\u00e9"])
def test_replace_request_id_insane(client: TestClient, inbound: str) -> None:
    response = client.get("/api/v1/criteria", headers={"X-Request-Id": inbound.encode()})
    assert response.headers["X-Request-Id"] != inbound
    assert len(response.headers["X-Request-Id"]) == 32


def test_keep_request_id_sane_max_length(client: TestClient) -> None:
    rid = "A-z_0.9:" * 16
    assert client.get("/livez", headers={"X-Request-Id": rid}).headers["X-Request-Id"] == rid


@pytest.mark.parametrize("variant", ["v1", "v2"])
def test_pass_request_id_to_fake_handlers(make_gateway: GatewayFactory, variant: str) -> None:
    client = make_gateway(feature_flag_use_v2=variant == "v2")
    body = client.get("/api/v1/criteria", headers={"X-Request-Id": "a b c"}).json()
    rid = client.get("/api/v1/criteria", headers={"X-Request-Id": "rid-42"}).json()
    assert body["served"] == variant
    assert body["requestIdHeader"] == body["requestIdVar"] != "a b c"
    assert rid["requestIdHeader"] == rid["requestIdVar"] == "rid-42"


def _flask_seeing_request_id() -> Flask:
    app = Flask("seer")

    @app.get("/api/v1/criteria")
    def seen() -> dict[str, Any]:
        from flask import request

        logging.getLogger("reqgate.test").info("in flask")
        return {"var": request_id_var.get(), "header": request.headers.get("X-Request-Id")}

    return app


def _fastapi_seeing_request_id() -> FastAPI:
    app = FastAPI()

    @app.get("/api/v1/criteria")
    def seen() -> dict[str, Any]:
        logging.getLogger("reqgate.test").info("in fastapi")
        return {"var": request_id_var.get(), "header": None}

    return app


class _Capture(logging.Handler):
    """Records each line's request id as the JSON handler would print it, at emit time."""

    def __init__(self) -> None:
        super().__init__()
        self.addFilter(_RequestIdFilter())
        self.seen: list[tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append((record.name, record.requestId))  # type: ignore[attr-defined]


@pytest.mark.parametrize("variant", ["v1", "v2"])
def test_pass_request_id_to_flask_and_fastapi_and_logs(
    make_gateway: GatewayFactory, variant: str
) -> None:
    client = make_gateway(
        v1=WsgiBridge(_flask_seeing_request_id()),
        v2=_fastapi_seeing_request_id(),
        feature_flag_use_v2=variant == "v2",
    )
    capture = _Capture()
    root = logging.getLogger()
    root.addHandler(capture)
    old_level = root.level
    root.setLevel(logging.INFO)
    try:
        body = client.get("/api/v1/criteria", headers={"X-Request-Id": "rid-7"}).json()
        ACCESS_LINE.flush()
    finally:
        root.removeHandler(capture)
        root.setLevel(old_level)
    assert body["var"] == "rid-7"
    assert body["header"] in (None, "rid-7")
    ours = [(name, rid) for name, rid in capture.seen if name.startswith("reqgate.")]
    assert ours == [("reqgate.test", "rid-7"), ("reqgate.access", "rid-7")]


def test_write_access_log_json_without_body(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="reqgate.access"):
        client.post(
            "/api/v1/evaluations",
            json={"requirementText": "secret text 4711"},
            headers={"X-Request-Id": "rid-9", "X-User-Id": "u1"},
        )
        ACCESS_LINE.flush()
    record = next(r for r in caplog.records if r.name == "reqgate.access")
    line = json.loads(JsonFormatter().format(record))
    assert {
        "method": "POST",
        "route": "/api/v1/evaluations",
        "status": 200,
        "variant": "v1",
        "reason": "default",
    }.items() <= line.items()
    assert isinstance(line["bucket"], int) and isinstance(line["durationMs"], float)
    assert "4711" not in json.dumps(line)


@pytest.mark.parametrize(
    ("v2", "status"), [(answering("v2", status=404), 404), (raising(), 500)], ids=["404", "raised"]
)
def test_write_access_log_status_client_got(
    make_gateway: GatewayFactory, caplog: pytest.LogCaptureFixture, v2: ASGIApp, status: int
) -> None:
    client = make_gateway(v2=v2, feature_flag_use_v2=True, v2_fallback_to_v1=False)
    with caplog.at_level(logging.INFO, logger="reqgate.access"):
        assert client.post("/api/v1/evaluations", json={}).status_code == status
        ACCESS_LINE.flush()
    [record] = [r for r in caplog.records if r.name == "reqgate.access"]
    assert (record.__dict__["status"], record.__dict__["variant"]) == (status, "v2")


def test_write_access_log_line_directly_every_field_without_body(
    client: TestClient, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The JSON handler writes the whole access line: every field, in order, no body (noted
    by the request, written by the flush, as LINES_WAIT_S later on a loop that runs on: the
    test client's loop ends with the request)."""
    access = logging.getLogger("reqgate.access")
    stream = io.StringIO()
    handler = _Handler(JsonFormatter())
    handler.setStream(stream)
    caplog.set_level(logging.INFO, logger="reqgate.access")
    # set now, after pytest attached its handlers to the loggers that do not propagate
    monkeypatch.setattr(access, "propagate", False)
    access.addHandler(handler)
    try:
        response = client.post(
            "/api/v1/evaluations",
            json={"requirementText": "secret text 4711"},
            headers={"X-Request-Id": "rid-9", "X-User-Id": "u1"},
        )
        ACCESS_LINE.flush()
    finally:
        access.removeHandler(handler)
    assert response.status_code == 200
    line = json.loads(stream.getvalue())
    assert list(line) == [
        "ts",
        "level",
        "logger",
        "message",
        "method",
        "route",
        "status",
        "variant",
        "reason",
        "bucket",
        "durationMs",
        "requestId",
    ]
    assert line | {"ts": None, "durationMs": None} == {
        "ts": None,
        "level": "INFO",
        "logger": "reqgate.access",
        "message": "request",
        "method": "POST",
        "route": "/api/v1/evaluations",
        "status": 200,
        "variant": "v1",
        "reason": "default",
        "bucket": bucket_for("reqgate-v2", "u1"),
        "durationMs": None,
        "requestId": "rid-9",
    }
    assert isinstance(line["durationMs"], float)
    assert "4711" not in stream.getvalue()


@pytest.mark.parametrize("path", ["/health/", "/livez/", "/metrics/", "/api/runtime-config/"])
def test_gateway_routes_do_not_redirect_to_the_clients_host(client: TestClient, path: str) -> None:
    """A slash redirect's Location echoed the Host header (issue 12, defect 12)."""
    response = client.get(path, headers={"Host": "evil.example"}, follow_redirects=False)
    assert response.status_code == 404
    assert "location" not in response.headers
    assert response.json()["error"] == "not_found"


def test_unauthorized_names_the_scheme(client: TestClient) -> None:
    response = client.patch("/api/runtime-config/flags", json={"canaryPercent": 5})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="reqgate"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_served_gateway_sends_no_server_banner(served_gateway: str) -> None:
    """`reqgate serve` (make run, Dockerfile.v2) hides the server software's name."""
    response = httpx.get(f"{served_gateway}/livez")
    assert response.status_code == 200
    assert "server" not in response.headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_tag_in_process_v2_unhandled_error_once(
    make_settings: SettingsFactory,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The gateway's in-process v2 leaves its request-id layer to the gateway's outer one,
    and its last-resort error layer to the gateway's router, whose work they were: a bug
    in v2 is answered once, with the client's id (header and body), the routing tags and
    the fixed headers, each once; logged with one traceback; and nothing escapes to the
    server, which would log it a second time."""

    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("a bug in v2")

    monkeypatch.setattr("app_v2.routers.criteria.list_criteria", broken)
    settings = make_settings(feature_flag_use_v2=True, v2_fallback_to_v1=False)
    app = gateway.app.create_app(settings)
    v2 = router_of(app).apps["v2"]
    assert not isinstance(v2.build_middleware_stack(), RequestIdMiddleware | ServerErrorMiddleware)
    with TestClient(app) as client, caplog.at_level(logging.ERROR):
        response = client.get("/api/v1/criteria", headers={"X-Request-Id": "rid-500"})
    assert response.status_code == 500
    assert response.json()["requestId"] == "rid-500"
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert [(record.exc_info is not None, record.__dict__.get("variant")) for record in errors] == [
        (True, "v2")
    ]
    names = [name.lower() for name, _ in response.headers.multi_items()]
    for name, value in [*ROUTING_TAGS, *FIXED_HEADERS.items()]:
        assert names.count(name.lower()) == 1, name
        assert response.headers[name] == value


def test_keep_request_id_layer_of_v2_served_alone(make_settings: SettingsFactory) -> None:
    v2 = app_v2.main.create_app(make_settings())
    assert isinstance(v2.build_middleware_stack(), RequestIdMiddleware)
    response = TestClient(v2).get("/api/v1/criteria", headers={"X-Request-Id": "rid-9"})
    assert (response.headers["X-Request-Id"], response.headers["X-Variant"]) == ("rid-9", "v2")
