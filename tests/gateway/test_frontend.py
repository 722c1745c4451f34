"""The gateway serves frontend/: pages, assets and vendored files, with strict headers, and
nothing else (no listing, no way out of the directory); API routing stays as it was."""

from __future__ import annotations

import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from gateway.frontend import CONTENT_SECURITY_POLICY, SOURCE_FRONTEND
from tests.gateway.conftest import GatewayFactory

PAGES = ["index.html", "mining_demo.html", "reports.html", "ops.html"]


@pytest.mark.parametrize("path", ["/", *(f"/{page}" for page in PAGES)])
def test_serve_page_with_security_headers(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers["X-Variant"] == "gateway"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["ETag"]
    assert "<!doctype html>" in response.text


def test_policy_allows_this_origin_only() -> None:
    directives = dict(part.split(" ", 1) for part in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY
    assert "http" not in CONTENT_SECURITY_POLICY


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/assets/js/index.js", "text/javascript"),
        ("/assets/css/app.css", "text/css"),
        ("/assets/favicon.svg", "image/svg+xml"),
        ("/vendor/chart.js/chart.umd.min.js", "text/javascript"),
        ("/vendor/axe-core/axe.min.js", "text/javascript"),
    ],
)
def test_serve_asset_content_type(client: TestClient, path: str, content_type: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    # a module script with a wrong type is refused under nosniff
    assert response.headers["Content-Type"].split(";")[0] in (
        content_type,
        "application/javascript",
    )
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_answer_not_modified_for_current_etag(client: TestClient) -> None:
    etag = client.get("/assets/js/api.js").headers["ETag"]
    again = client.get("/assets/js/api.js", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_head_page_without_body(client: TestClient) -> None:
    response = client.head("/")
    assert response.status_code == 200
    assert response.content == b""
    assert int(response.headers["Content-Length"]) > 0


@pytest.mark.parametrize(
    "path",
    [
        "/assets/",
        "/assets",
        "/vendor/",
        "/assets/js/",
        "/no-such-page.html",
        "/frontend/index.html",
        "/assets/%2e%2e/%2e%2e/pyproject.toml",
        "/vendor/..%2f..%2fpyproject.toml",
        "/assets/%2e%2e/index.html/../../../core/settings.py",
        "/vendor/README.md/",
    ],
)
def test_refuse_listing_and_paths_outside(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    assert response.headers["X-Variant"] == "gateway"


def test_refuse_dot_segments_sent_raw(client: TestClient) -> None:
    """A client that sends `..` unnormalised (curl --path-as-is) gets a 404, no file."""
    for raw in ("/assets/../../pyproject.toml", "/vendor/../../core/settings.py"):
        response = client.get(raw)
        assert response.status_code == 404, raw
        assert "[project]" not in response.text


def test_refuse_symlink_out_of_frontend(make_gateway: GatewayFactory, tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    (pages / "assets").mkdir(parents=True)
    (tmp_path / "secret.txt").write_text("secret")
    (pages / "assets" / "link.txt").symlink_to(tmp_path / "secret.txt")
    client = make_gateway(frontend_dir=pages)
    assert client.get("/assets/link.txt").status_code == 404


def test_refuse_other_methods(client: TestClient) -> None:
    response = client.post("/index.html")
    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"


def test_serve_frontend_dir_setting(make_gateway: GatewayFactory, tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<!doctype html><title>mine</title>")
    client = make_gateway(frontend_dir=tmp_path)
    assert client.get("/").text == "<!doctype html><title>mine</title>"
    assert client.get("/ops.html").status_code == 404


def test_missing_frontend_dir_answers_not_found(
    make_gateway: GatewayFactory, tmp_path: Path
) -> None:
    client = make_gateway(frontend_dir=tmp_path / "absent")
    assert client.get("/").status_code == 404
    assert client.get("/livez").status_code == 200


@pytest.mark.parametrize(
    ("path", "variant"),
    [("/api/v1/criteria", "v1"), ("/api/v1/legacy.html", "v1"), ("/api/v2/x.html", "v2")],
)
def test_keep_api_routing_beside_pages(client: TestClient, path: str, variant: str) -> None:
    response = client.get(path)
    assert response.headers["X-Variant"] == variant
    assert response.json()["served"] == variant


def test_leave_pages_out_of_openapi(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not [path for path in paths if path == "/" or ".html" in path or "assets" in path]


class _Markup(HTMLParser):
    """Collects what a strict CSP or the no-external-request rule would refuse."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "script" and not named.get("src"):
            self.problems.append("inline <script>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(f"<{tag} {name}=...>")
            if name in ("src", "href", "action") and value and re.match(r"\w+:|//", value):
                self.problems.append(f"<{tag} {name}={value}>")

    def handle_data(self, data: str) -> None:
        if self.lasttag == "style" and data.strip():
            self.problems.append("inline <style>")


@pytest.mark.parametrize("page", PAGES)
def test_page_markup_needs_no_inline_code_or_other_hosts(page: str) -> None:
    parser = _Markup()
    parser.feed((SOURCE_FRONTEND / page).read_text())
    assert parser.problems == []


def test_scripts_name_no_other_host() -> None:
    for script in (SOURCE_FRONTEND / "assets").rglob("*.js"):
        text = script.read_text()
        assert not re.search(r"https?://", text), script
        assert ".innerHTML" not in text and "eval(" not in text, script


def test_messages_same_keys_both_languages() -> None:
    text = (SOURCE_FRONTEND / "assets" / "js" / "messages.js").read_text()
    languages = re.split(r"^  (?:en|de): \{$", text, flags=re.M)[1:]
    keys = [re.findall(r'^    "([\w.]+)":', block, flags=re.M) for block in languages]
    assert len(keys) == 2 and keys[0] and keys[0] == keys[1]


def test_vendored_files_match_recorded_sums() -> None:
    """frontend/vendor/README.md records each file's package, version and sha256."""
    readme = (SOURCE_FRONTEND / "vendor" / "README.md").read_text()
    row = r"^\| (\S+) \| ([\d.]+) \|.*\| `([\w./-]+)` \| `[^`]+` \| `([0-9a-f]{64})` \|$"
    rows = re.findall(row, readme, re.M)
    assert {name for name, *_ in rows} == {"chart.js", "axe-core"}
    for name, version, path, digest in rows:
        file = SOURCE_FRONTEND / "vendor" / path
        assert hashlib.sha256(file.read_bytes()).hexdigest() == digest, path
        assert version in file.read_text()[:500], name
        assert any(file.parent.glob("LICENSE*")), name
