"""Browser tests: Debian's chromium driven by playwright against a real gateway process.

Never a browser download: playwright launches /usr/bin/chromium (`apt-get install chromium`;
.ci/run installs it). Without it the tests skip with one notice at the end of the run, except
under CI=true, where they fail: CI must show that the pages work. One browser and one gateway
serve the whole session; each test gets a fresh context (cookies, sessionStorage) and fails
on any console error or uncaught exception of its pages, and on any request they make to
another origin (the pages must work offline, behind their CSP).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Page,
    Playwright,
    Request,
    sync_playwright,
)

import gateway.app
from core.settings import Settings, load_settings
from tests.utils.server import ROOT, running_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ADMIN_TOKEN = "browser-admin-token-0123456789"
SCREENSHOTS = Path(__file__).parent / "screenshots"
MISSING = (
    f"browser tests skipped: {CHROMIUM} not found; install it with "
    "`sudo apt-get install -y chromium` (README, Web pages)"
)
BROWSER_DIR = Path(__file__).parent
_SKIPPED = pytest.StashKey[int]()


def _in_browser_dir(item: pytest.Item) -> bool:
    return BROWSER_DIR in Path(str(item.path)).parents


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if CHROMIUM.exists() or os.environ.get("CI") == "true":
        return
    skip = pytest.mark.skip(reason=MISSING)
    browser_items = [item for item in items if _in_browser_dir(item)]
    for item in browser_items:
        item.add_marker(skip)
    if browser_items:
        config.stash[_SKIPPED] = len(browser_items)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """The one notice, whatever -r says about skip reasons."""
    if skipped := config.stash.get(_SKIPPED, 0):
        terminalreporter.write_line(f"{MISSING} ({skipped} tests)", yellow=True)


def gateway_settings(data: Path, **overrides: Any) -> Settings:
    """A browser test's gateway: heuristic engine, its data in `data`, the admin token set."""
    return load_settings(
        _env_file=None,
        sqlite_path=data / "reqgate.db",
        qdrant_path=data / "qdrant",
        requirements_md_path=ROOT / "docs" / "requirements.md",
        admin_token=ADMIN_TOKEN,
        mock_mode=True,
        **overrides,
    )


@pytest.fixture(scope="session")
def gateway_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One gateway (fresh data dir) under uvicorn in a thread, for every test of the product
    pages: in-process, it starts without importing the apps a second time."""
    settings = gateway_settings(tmp_path_factory.mktemp("browser-gateway"))
    with running_server(gateway.app.create_app(settings)) as url:
        yield url


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        pytest.fail(f"CI=true and {CHROMIUM} is missing: .ci/run must install chromium")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    # launch() gives the browser a fresh temporary user data dir, deleted when it closes.
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


class PageErrors:
    """Console errors, uncaught exceptions and requests to any origin but the given ones
    (the gateway's, for its pages) of a test's pages."""

    def __init__(self, *origins: str) -> None:
        self.allowed = (*(f"{origin}/" for origin in origins), "blob:", "data:")
        self.messages: list[str] = []

    def request(self, request: Request) -> None:
        url = request.url
        if not url.startswith(self.allowed):
            self.messages.append(f"request to another origin: {url}")

    def console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.messages.append(f"console: {message.text} at {message.location.get('url')}")

    def exception(self, error: Exception) -> None:
        self.messages.append(f"uncaught: {error}")


def _page(browser: Browser, gateway_url: str, locale: str) -> Iterator[Page]:
    context = browser.new_context(
        base_url=gateway_url, locale=locale, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = PageErrors(gateway_url)
    context.on("request", errors.request)
    page.on("console", errors.console)
    page.on("pageerror", errors.exception)
    yield page
    context.close()
    assert errors.messages == []


@pytest.fixture
def page(browser: Browser, gateway_url: str) -> Iterator[Page]:
    """A page in an English-speaking browser."""
    yield from _page(browser, gateway_url, "en-US")


@pytest.fixture
def page_de(browser: Browser, gateway_url: str) -> Iterator[Page]:
    """A page in a German-speaking browser (navigator.language de-DE)."""
    yield from _page(browser, gateway_url, "de-DE")
