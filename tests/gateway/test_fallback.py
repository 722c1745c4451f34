"""Acceptance 3: when v2 fails, v1 answers with reason fallback, and the metric counts it."""

from __future__ import annotations

import asyncio
import gc
import re
import weakref
from typing import Any

import pytest
from starlette.types import ASGIApp, Message

from core.exceptions import ApiError, ClientClosedRequest, RequestTimeout
from gateway.deadlines import Deadlines
from gateway.fallback import serve_with_fallback
from gateway.request_body import Body
from tests.conftest import SettingsFactory
from tests.gateway.conftest import GatewayFactory
from tests.gateway.fakes import answering, hanging, raising, slow_body

EVALUATE = "/api/v1/evaluations"


def _fallbacks(text: str, cause: str) -> float:
    pattern = rf'reqgate_fallbacks_total{{cause="{cause}",route="{EVALUATE}"}} ([\d.]+)'
    match = re.search(pattern, text)
    return float(match.group(1)) if match else 0.0


@pytest.mark.parametrize(
    ("v2", "cause"),
    [
        (raising(), "exception"),
        (answering("v2", status=500), "status"),
        (answering("v2", status=503), "status"),
        (hanging(5.0), "timeout"),
    ],
)
def test_fall_back_to_v1_when_v2_fails(
    make_gateway: GatewayFactory, v2: ASGIApp, cause: str
) -> None:
    client = make_gateway(v2=v2, feature_flag_use_v2=True, v2_timeout_s=0.3)
    response = client.post(EVALUATE, json={"requirementText": "kept for v1"})
    assert response.status_code == 200
    assert response.json()["served"] == "v1"
    assert response.json()["body"] == '{"requirementText":"kept for v1"}'  # replayed intact
    assert (response.headers["X-Variant"], response.headers["X-Variant-Reason"]) == (
        "v1",
        "fallback",
    )
    assert _fallbacks(client.get("/metrics").text, cause) == 1.0


def test_fall_back_from_real_v2_exception(
    make_gateway: GatewayFactory, make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real FastAPI v2 (whose error handler answers 500 and re-raises) falls back too."""
    import app_v2.main
    import app_v2.routers.evaluations as v2_evaluations

    def broken(**_kwargs: object) -> None:
        raise RuntimeError("engine exploded")

    monkeypatch.setattr(v2_evaluations, "evaluate", broken)
    v2 = app_v2.main.create_app(make_settings())
    client = make_gateway(v2=v2, feature_flag_use_v2=True)
    response = client.post(EVALUATE, json={"requirementText": "The system shall start."})
    assert response.json()["served"] == "v1"
    assert response.headers["X-Variant-Reason"] == "fallback"


@pytest.mark.parametrize("v2", [raising(), answering("v2", status=500)])
def test_pass_v2_failure_through_without_fallback(
    make_gateway: GatewayFactory, v2: ASGIApp
) -> None:
    client = make_gateway(v2=v2, feature_flag_use_v2=True, v2_fallback_to_v1=False)
    response = client.post(EVALUATE, json={"requirementText": "x"})
    assert response.status_code == 500
    assert response.headers["X-Variant"] == "v2"
    assert _fallbacks(client.get("/metrics").text, "status") == 0.0


def test_pass_v2_retry_later_through_without_fallback(make_gateway: GatewayFactory) -> None:
    """A 503 with Retry-After says "busy or storage down, come back later" (batch slots,
    storage faults): v1 shares the process and the database, so a second execution there
    would double the load, and counting it as a fallback would raise the rollback alarm
    for something that is not v2's fault."""
    v2 = answering("v2", status=503, headers={"Retry-After": "5"})
    client = make_gateway(v2=v2, feature_flag_use_v2=True)
    response = client.post(EVALUATE, json={"requirementText": "x"})
    assert (response.status_code, response.json()["served"]) == (503, "v2")
    assert response.headers["Retry-After"] == "5"
    assert response.headers["X-Variant-Reason"] == "flag"
    assert _fallbacks(client.get("/metrics").text, "status") == 0.0


@pytest.mark.parametrize(
    "error", [RequestTimeout("body too slow"), ClientClosedRequest()], ids=["408", "499"]
)
def test_pass_client_error_v2_raised_through_without_fallback(
    make_gateway: GatewayFactory, error: ApiError
) -> None:
    """A remote v2's proxy raises what the client caused (its body too slow, or cut short
    by its disconnect) while sending the body on: v1 would fare no better, so no fallback."""
    client = make_gateway(v2=raising(error), feature_flag_use_v2=True)
    response = client.post(EVALUATE, json={"requirementText": "x"})
    assert (response.status_code, response.json()["error"]) == (error.status, error.code)
    assert (response.headers["X-Variant"], response.headers["X-Variant-Reason"]) == ("v2", "flag")
    assert "reqgate_fallbacks_total{" not in client.get("/metrics").text


@pytest.mark.parametrize("status", [200, 400, 404])
def test_keep_v2_answer_below_500(make_gateway: GatewayFactory, status: int) -> None:
    client = make_gateway(v2=answering("v2", status=status), feature_flag_use_v2=True)
    response = client.post(EVALUATE, json={"requirementText": "x"})
    assert (response.status_code, response.json()["served"]) == (status, "v2")
    assert response.headers["X-Variant-Reason"] == "flag"


def test_keep_v2_answer_started_before_timeout(make_gateway: GatewayFactory) -> None:
    """The timeout covers the wait for the answer's start, not its body."""
    client = make_gateway(v2=slow_body(0.5), feature_flag_use_v2=True, v2_timeout_s=0.2)
    response = client.post(EVALUATE, json={"requirementText": "x"})
    assert response.json() == {"served": "v2, slowly"}
    assert response.headers["X-Variant-Reason"] == "flag"


async def _attempt(v2: ASGIApp, deadlines: Deadlines) -> str | None:
    pending = [{"type": "http.request", "body": b"{}", "more_body": False}]

    async def receive() -> Message:
        return pending.pop() if pending else {"type": "http.disconnect"}

    async def send(_message: Message) -> None:
        pass

    body = Body(receive, Deadlines(5.0), max_kept_bytes=1024)
    return await serve_with_fallback(
        {"type": "http", "method": "POST", "path": EVALUATE, "headers": []},
        body.receive,
        send,
        body=body,
        v2=v2,
        v1=answering("v1"),
        deadlines=deadlines,
        on_fallback=lambda _cause: None,
    )


async def _attempts(deadlines: Deadlines, apps: list[ASGIApp]) -> list[str | None]:
    return list(await asyncio.gather(*(_attempt(app, deadlines) for app in apps)))


def test_time_out_only_waiting_attempts_on_each_loop() -> None:
    """One Deadlines serves attempts in flight together, on one event loop after another."""
    deadlines = Deadlines(0.2)
    apps = [answering("v2"), hanging(5.0), slow_body(0.5), hanging(5.0), answering("v2")]
    for _ in range(2):  # a second loop, as a second test client (or worker) has
        causes = asyncio.run(_attempts(deadlines, apps))
        assert causes == [None, "timeout", None, "timeout", None]


def test_deadline_queue_keeps_no_request_alive() -> None:
    """A settled clock waits in the queue until a later request pops it (behind a slow one
    at its head, a whole timeout's worth): it must hold neither the client's send nor the
    body kept for v1."""
    deadlines = Deadlines(60.0)

    class Received(dict[str, Any]):
        """A message that a weak reference can follow (a dict cannot be)."""

    async def run() -> tuple[weakref.ref[Any], weakref.ref[Any]]:
        message = Received(type="http.request", body=b"{}", more_body=False)
        pending: list[Message] = [message]

        async def receive() -> Message:
            return pending.pop() if pending else {"type": "http.disconnect"}

        async def send(_message: Message) -> None:
            pass

        body = Body(receive, Deadlines(60.0), max_kept_bytes=1024)
        await serve_with_fallback(
            {"type": "http", "method": "POST", "path": EVALUATE, "headers": []},
            body.receive,
            send,
            body=body,
            v2=answering("v2"),
            v1=answering("v1"),
            deadlines=deadlines,
            on_fallback=lambda _cause: None,
        )
        assert body.kept == [message]
        return weakref.ref(send), weakref.ref(message)

    sent_with, kept = asyncio.run(run())
    gc.collect()
    assert deadlines._queue is not None and deadlines._queue.entries  # still queued
    assert sent_with() is None
    assert kept() is None
