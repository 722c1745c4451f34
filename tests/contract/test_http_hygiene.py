"""HTTP hygiene on every target (issue 12, defect 12): no redirect that reflects the Host,
405 says what is allowed, every response forbids MIME sniffing."""

from __future__ import annotations

import pytest

from tests.utils.targets import Target

HOSTILE_HOST = {"Host": "evil.example"}


@pytest.mark.parametrize("path", ["/api/v1//criteria", "/api/v1/criteria/", "//api/v1/criteria"])
def test_no_redirect_reflects_the_host(target: Target, path: str) -> None:
    reply = target.request("GET", path, headers=HOSTILE_HOST)
    assert reply.status == 404, reply.body
    assert reply.headers.get("Location") is None
    assert reply.body["error"] == "not_found" and "requestId" in reply.body


@pytest.mark.parametrize("method", ["DELETE", "TRACE", "PUT"])
def test_method_not_allowed_names_the_allowed_methods(target: Target, method: str) -> None:
    reply = target.request(method, "/api/v1/criteria")
    assert reply.status == 405
    assert reply.body["error"] == "method_not_allowed"
    allowed = {m.strip() for m in reply.headers["Allow"].split(",")}
    assert "GET" in allowed and method not in allowed


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/api/v1/criteria"), ("GET", "/no/such/route"), ("POST", "/api/v1/evaluations")],
)
def test_every_response_forbids_mime_sniffing(target: Target, method: str, path: str) -> None:
    reply = target.request(method, path, json={} if method == "POST" else None)
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
