"""A client that leaves before its request body is complete is no error and no v2 failure:
no traceback, no fallback, a 499 in the access log (nginx's status for it) and the count
in reqgate_client_disconnects_total, per variant (issue 16).

Driven at the ASGI level, as uvicorn drives the apps: a receive() that returns
http.disconnect where the body should be, mid-body or before any of it (a request that
waited in a queue while its client closed the connection).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from starlette.types import ASGIApp, Message

import app_v2.main
import gateway.app
from gateway.middleware.request_context import ACCESS_LINE
from gateway.upstream import HttpUpstream
from tests.conftest import SettingsFactory

EVALUATE = "/api/v1/evaluations"
BODY = b'{"requirementText": "The system shall answer every search within 2 seconds."}'
CUTS = {"mid-body": BODY[:20], "before-body": None}


def _scope(method: str, path: str, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    """An HTTP scope with what the apps read of it."""
    return {
        "type": "http",
        "http_version": "1.1",
        "method": method,
        "path": path,
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1:8087"), *headers],
    }


def _leaving_client(part: bytes | None) -> Callable[[], Any]:
    """The receive() of a client that sent `part` of its body (or none), then left."""
    pending: list[Message] = []
    if part is not None:
        pending.append({"type": "http.request", "body": part, "more_body": True})

    async def receive() -> Message:
        return pending.pop(0) if pending else {"type": "http.disconnect"}

    return receive


async def _call(app: ASGIApp, scope: dict[str, Any], receive: Callable[[], Any]) -> list[Message]:
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


def _evaluation_left(app: ASGIApp, part: bytes | None, chunked: bool = False) -> list[Message]:
    length = (
        [(b"transfer-encoding", b"chunked")]
        if chunked
        else [(b"content-length", b"%d" % len(BODY))]
    )
    scope = _scope("POST", EVALUATE, [(b"content-type", b"application/json"), *length])
    return asyncio.run(_call(app, scope, _leaving_client(part)))


def _metrics(app: ASGIApp) -> str:
    async def whole() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    sent = asyncio.run(_call(app, _scope("GET", "/metrics", []), whole))
    return b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body").decode()


def _samples(text: str, name: str) -> dict[str, float]:
    """The samples of one metric, keyed by their label text."""
    return {
        labels: float(value)
        for labels, value in re.findall(rf"^{name}\{{(.*?)\}} ([\d.e+]+)$", text, re.M)
    }


def _assert_quiet(caplog: pytest.LogCaptureFixture) -> None:
    """No traceback, and nothing at WARNING or above (a fallback says so at WARNING)."""
    assert [r.getMessage() for r in caplog.records if r.exc_info] == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


def _access(caplog: pytest.LogCaptureFixture) -> list[tuple[Any, Any, Any]]:
    ACCESS_LINE.flush()
    return [
        (r.__dict__["status"], r.__dict__["variant"], r.__dict__["reason"])
        for r in caplog.records
        if r.name == "reqgate.access"
    ]


@pytest.mark.parametrize("part", CUTS.values(), ids=CUTS.keys())
def test_v2_client_gone_answers_499_without_traceback(
    make_settings: SettingsFactory, caplog: pytest.LogCaptureFixture, part: bytes | None
) -> None:
    """v2 alone (under uvicorn, or behind a remote gateway): Starlette's ClientDisconnect is
    no unhandled error; the 499 goes nowhere, but tells any layer outside what happened."""
    caplog.set_level(logging.DEBUG)
    sent = _evaluation_left(app_v2.main.create_app(make_settings()), part)
    assert sent[0]["status"] == 499
    _assert_quiet(caplog)


@pytest.mark.parametrize("part", CUTS.values(), ids=CUTS.keys())
@pytest.mark.parametrize("variant", ["v1", "v2"])
def test_gateway_client_gone_counts_disconnect_not_fallback(
    make_settings: SettingsFactory,
    caplog: pytest.LogCaptureFixture,
    variant: str,
    part: bytes | None,
) -> None:
    """Through the gateway with the real v1 (WSGI bridge) and the real in-process v2."""
    caplog.set_level(logging.DEBUG)
    settings = make_settings(feature_flag_use_v2=variant == "v2")
    app = gateway.app.create_app(settings)
    sent = _evaluation_left(app, part)
    assert [m["status"] for m in sent if m["type"] == "http.response.start"] == [499]
    reason = "flag" if variant == "v2" else "default"
    assert _access(caplog) == [(499, variant, reason)]
    _assert_quiet(caplog)
    text = _metrics(app)
    assert _samples(text, "reqgate_fallbacks_total") == {}
    assert _samples(text, "reqgate_client_disconnects_total") == {f'variant="{variant}"': 1.0}
    assert not [k for k in _samples(text, "http_requests_total") if 'status="5' in k]


def test_remote_v2_client_gone_forwards_no_truncated_body(
    make_settings: SettingsFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """v2 behind V2_UPSTREAM_URL: a chunked body the client left mid-way is not sent on as
    if complete (v2 would evaluate half a request), and the gateway counts the disconnect."""
    caplog.set_level(logging.DEBUG)
    forwarded: list[bytes] = []

    def upstream(request: httpx.Request) -> httpx.Response:
        forwarded.append(request.content)
        return httpx.Response(200, json={"served": "v2"})

    settings = make_settings(feature_flag_use_v2=True)
    remote = HttpUpstream("http://v2.invalid", timeout_s=5, transport=httpx.MockTransport(upstream))
    app = gateway.app.create_app(settings, v2=remote)
    sent = _evaluation_left(app, CUTS["mid-body"], chunked=True)
    assert forwarded == []
    assert [m["status"] for m in sent if m["type"] == "http.response.start"] == [499]
    assert _access(caplog) == [(499, "v2", "flag")]
    _assert_quiet(caplog)
    text = _metrics(app)
    assert _samples(text, "reqgate_fallbacks_total") == {}
    assert _samples(text, "reqgate_client_disconnects_total") == {'variant="v2"': 1.0}


def test_shadow_skips_request_client_left(
    make_settings: SettingsFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """A mirror of half a body would wait for the rest until its timeout, then count as
    an error: a request the client left is not compared (skipped)."""
    caplog.set_level(logging.DEBUG)
    app = gateway.app.create_app(make_settings(feature_flag_use_v2=True, shadow_percent=100))
    _evaluation_left(app, CUTS["mid-body"])
    _assert_quiet(caplog)
    comparisons = _samples(_metrics(app), "reqgate_shadow_comparisons_total")
    assert comparisons == {f'result="skipped",route="{EVALUATE}"': 1.0}
