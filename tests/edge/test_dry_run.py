"""A v2 in another process takes the gateway's dry-run mark, and nobody else's."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import func, select
from sqlmodel import Session
from starlette.testclient import TestClient

import app_v2.main
import gateway.app
from core.dry_run import DRY_RUN_HEADER, dry_run, dry_run_token
from core.store.models import RewriteRecord
from gateway.router import router_of
from gateway.upstream import HttpUpstream
from tests.conftest import SettingsFactory
from tests.gateway.conftest import ADMIN_TOKEN

BODY = {"originalText": "The system should be fast.", "text": "The system shall be fast."}


def _corrections(client: TestClient) -> int:
    with Session(client.app.state.db) as session:  # type: ignore[attr-defined]
        return int(session.scalar(select(func.count()).select_from(RewriteRecord)) or 0)


@pytest.mark.parametrize(
    ("secret", "signed_for", "stored"),
    [
        (ADMIN_TOKEN, "rid-1", 0),  # the gateway's mark: a dry run
        (ADMIN_TOKEN, "rid-other", 1),  # a mark replayed from another request
        ("another-secret-0123456789", "rid-1", 1),  # forged without the token
    ],
)
def test_v2_honours_only_a_mark_for_this_request(
    make_settings: SettingsFactory, secret: str, signed_for: str, stored: int
) -> None:
    client = TestClient(app_v2.main.create_app(make_settings(admin_token=ADMIN_TOKEN)))
    headers = {"X-Request-Id": "rid-1", DRY_RUN_HEADER: dry_run_token(secret, signed_for)}
    assert client.post("/api/v1/corrections/text", json=BODY, headers=headers).status_code == 200
    assert _corrections(client) == stored


def test_v2_in_the_gateways_process_takes_no_mark(make_settings: SettingsFactory) -> None:
    """The gateway's shadow marks an in-process v2's dry runs by the context; a mark a client
    sends (even a valid one) is nobody's there."""
    settings = make_settings(admin_token=ADMIN_TOKEN, feature_flag_use_v2=True)
    app = gateway.app.create_app(settings)
    headers = {"X-Request-Id": "rid-1", DRY_RUN_HEADER: dry_run_token(ADMIN_TOKEN, "rid-1")}
    with TestClient(app) as client:
        response = client.post("/api/v1/corrections/text", json=BODY, headers=headers)
    assert (response.status_code, response.headers["X-Variant"]) == (200, "v2")
    v2 = router_of(app).apps["v2"]
    with Session(v2.state.db) as session:  # type: ignore[attr-defined]
        assert session.scalar(select(func.count()).select_from(RewriteRecord)) == 1


def test_v2_without_admin_token_takes_no_mark(make_settings: SettingsFactory) -> None:
    client = TestClient(app_v2.main.create_app(make_settings()))
    headers = {"X-Request-Id": "rid-1", DRY_RUN_HEADER: dry_run_token("", "rid-1")}
    client.post("/api/v1/corrections/text", json=BODY, headers=headers)
    assert _corrections(client) == 1


def test_the_proxy_marks_dry_runs_only_and_drops_a_clients_mark() -> None:
    asyncio.run(_proxy_marks())


async def _proxy_marks() -> None:
    seen: list[httpx.Headers] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers)
        return httpx.Response(200, stream=httpx.ByteStream(b"{}"))

    upstream = HttpUpstream(
        "http://v2.test", timeout_s=5, transport=httpx.MockTransport(record), dry_run_secret="s"
    )
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/api/v1/criteria",
        "query_string": b"",
        "headers": [(b"x-reqgate-dry-run", b"from-a-client")],
    }

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b""}

    async def send(_message: object) -> None:
        pass

    await upstream(scope, receive, send)
    with dry_run():
        await upstream(scope, receive, send)
    await upstream.aclose()
    assert DRY_RUN_HEADER not in seen[0]
    assert seen[1][DRY_RUN_HEADER] == dry_run_token("s", "-")  # the id bound for the logs
