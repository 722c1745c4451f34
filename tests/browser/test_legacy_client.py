"""A web client of the original system on another origin, in a real browser (issue 14,
Compatibility; DESIGN §6): with CORS_ORIGINS allowing its origin, every call it makes works
unchanged, the ones that need a preflight included; from an origin CORS_ORIGINS leaves out,
the browser blocks them all.

The client (legacy_client/) is test data: plain fetch calls to the gateway's absolute URL,
served by a static server on another port, so another origin. Its requests to the gateway are
the point here, so these tests allow them; the product pages' tests still allow none.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, FilePayload, Page, Response, expect
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import gateway.app
from tests.browser.conftest import ADMIN_TOKEN, PageErrors, gateway_settings
from tests.utils.server import running_server

CLIENT_DIR = Path(__file__).parent / "legacy_client"
BODY_LIMIT = 16 * 1024
VAGUE = "The system should be fast and user-friendly."
FILE: FilePayload = {
    "name": "audit.md",
    "mimeType": "text/markdown",
    "buffer": b"# Audit\n\nThe system shall log every login with its time.\n",
}
# Requests with a JSON body or an Authorization header need a preflight; the demo GET and the
# multipart upload are simple requests, sent without one.
PREFLIGHTED = {
    "/api/v1/validate/batch",
    "/api/v1/validate/suggest",
    "/api/v1/corrections/apply",
    "/api/v1/corrections/text",
    "/api/v1/vector/reset",
}
STEPS = {  # button -> the <output> it writes into
    "load-demo": "out-demo",
    "validate": "out-validate",
    "suggest": "out-suggest",
    "apply": "out-apply",
    "save-text": "out-text",
    "upload": "out-upload",
    "reset": "out-reset",
}
OpenClient = Callable[[str], tuple[Page, PageErrors]]


@pytest.fixture(scope="module")
def origins() -> Iterator[tuple[str, str]]:
    """The client's page on two origins (ports): the gateway allows the first, not the second."""
    app = Starlette(routes=[Mount("/", StaticFiles(directory=CLIENT_DIR, html=True))])
    with running_server(app) as allowed, running_server(app) as refused:
        yield allowed, refused


class Arrivals:
    """The gateway as the browser reaches it: (method, path, status) of every request it
    answers (playwright does not report preflights)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.seen: list[tuple[str, str, int]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def noting(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.seen.append((scope["method"], scope["path"], message["status"]))
            await send(message)

        await self.app(scope, receive, noting if scope["type"] == "http" else send)

    def paths(self, method: str, status: int | None = None) -> set[str]:
        """The paths requested with `method` (and answered with `status`, when given)."""
        return {p for m, p, s in self.seen if m == method and (status is None or s == status)}


@pytest.fixture
def arrivals(tmp_path: Path, origins: tuple[str, str]) -> Arrivals:
    """A gateway of its own, with CORS_ORIGINS set to the allowed origin only, and a
    MAX_BODY_BYTES that one long requirement exceeds."""
    settings = gateway_settings(tmp_path, cors_origins=[origins[0]], max_body_bytes=BODY_LIMIT)
    return Arrivals(gateway.app.create_app(settings))


@pytest.fixture
def cors_gateway(arrivals: Arrivals) -> Iterator[str]:
    with running_server(arrivals) as url:
        yield url


@pytest.fixture
def open_client(browser: Browser, cors_gateway: str) -> Iterator[OpenClient]:
    """Open the client's page on an origin, calling the gateway; its errors go to the test."""
    contexts = []

    def open_on(origin: str) -> tuple[Page, PageErrors]:
        context = browser.new_context(base_url=origin)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        errors = PageErrors(origin, cors_gateway)
        context.on("request", errors.request)
        page.on("console", errors.console)
        page.on("pageerror", errors.exception)
        page.goto(f"/?api={cors_gateway}")
        return page, errors

    yield open_on
    for context in contexts:
        context.close()


def _run(page: Page, button: str, status: str = "ok") -> None:
    """Click a step's button and wait for its result."""
    page.click(f"#{button}")
    expect(page.locator(f"#{STEPS[button]}")).to_have_attribute("data-status", status)


def test_legacy_client_on_allowed_origin_works_unchanged(
    open_client: OpenClient, origins: tuple[str, str], cors_gateway: str, arrivals: Arrivals
) -> None:
    page, errors = open_client(origins[0])
    responses: list[Response] = []
    page.on("response", lambda response: responses.append(response))  # a bound builtin fails
    demo = httpx.get(f"{cors_gateway}/api/v1/demo/requirements").json()["items"]
    _run(page, "load-demo")
    expect(page.locator("#out-demo")).to_have_text(f"{len(demo)} requirements")
    _run(page, "validate")  # bare arrays: a bare array of one back, no atoms asked for
    rows = page.locator("#results tr")
    expect(rows).to_have_count(len(demo))
    expect(page.locator("#results tr[data-suggestions=no]")).to_have_count(len(demo))
    page.fill("#requirements", f"{VAGUE}\n{demo[0]['requirementText']}")
    page.check("#with-suggestions")
    _run(page, "validate")
    expect(rows).to_have_count(2)
    vague = rows.nth(0)
    expect(vague).to_have_attribute("data-verdict", "fail")
    assert int(vague.get_attribute("data-atoms") or 0) > 0
    expect(vague.locator("td").nth(3)).not_to_have_text(["", VAGUE])
    vague.click()
    expect(page.locator("#current")).to_have_value(VAGUE)
    _run(page, "suggest")
    expect(page.locator("#atoms li").first).not_to_have_text(VAGUE)
    _run(page, "apply")
    expect(page.locator("#out-apply")).not_to_have_text(VAGUE)
    _run(page, "save-text")
    expect(page.locator("#out-text")).to_have_text("saved")
    page.set_input_files("#files", files=[FILE])
    _run(page, "upload")
    expect(page.locator("#out-upload")).to_have_text(
        "countFiles=1 countChunks=1 upserted=1 collection=requirements_v2 qdrantPort=null"
    )
    page.fill("#token", ADMIN_TOKEN)
    _run(page, "reset")
    expect(page.locator("#out-reset")).to_have_text("reset 1")
    assert errors.messages == []
    # The gateway's own error answer (its v1 bridge refuses the body) reaches the page as
    # that error, with the request id the page may read.
    page.fill("#requirements", "x" * BODY_LIMIT)
    _run(page, "validate", "error")
    expect(page.locator("#out-validate")).to_have_text(
        re.compile(r"^413 payload_too_large \([0-9a-f]{32}\)$")
    )
    assert len(errors.messages) == 1 and "status of 413" in errors.messages[0], errors.messages
    answers = [r.headers for r in responses if r.url.startswith(f"{cors_gateway}/")]
    assert len(answers) == 1 + len(demo) + 2 + 5 + 1  # demo, validate twice, 5 steps, 413
    assert {a.get("access-control-allow-origin") for a in answers} == {origins[0]}
    assert arrivals.paths("OPTIONS") == arrivals.paths("OPTIONS", 200) == PREFLIGHTED


def test_legacy_client_on_other_origin_is_blocked(
    open_client: OpenClient, origins: tuple[str, str], arrivals: Arrivals
) -> None:
    """The same page from an origin CORS_ORIGINS leaves out: every call fails in the page,
    the preflighted ones never get past their refused preflight."""
    page, errors = open_client(origins[1])
    page.fill("#requirements", VAGUE)
    page.fill("#current", VAGUE)
    page.check("#with-suggestions")
    page.set_input_files("#files", files=[FILE])
    page.fill("#token", ADMIN_TOKEN)
    for button, output in STEPS.items():
        _run(page, button, "error")
        expect(page.locator(f"#{output}")).to_have_text("Failed to fetch")
    blocked = [m for m in errors.messages if "has been blocked by CORS policy" in m]
    assert len(blocked) == len(STEPS), errors.messages
    assert sum("Response to preflight request" in m for m in blocked) == len(PREFLIGHTED)
    assert all(m in blocked or "net::ERR_FAILED" in m for m in errors.messages), errors.messages
    assert arrivals.paths("OPTIONS") == arrivals.paths("OPTIONS", 400) == PREFLIGHTED
    assert not arrivals.paths("POST") & PREFLIGHTED  # the browser never sent them
