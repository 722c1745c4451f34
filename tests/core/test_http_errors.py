"""The one error body (DESIGN §6) every renderer sends."""

from __future__ import annotations

from core.contract.wire import error_body


def test_build_error_body_without_details() -> None:
    body = error_body("not_found", "no such route", "rid-1")
    assert body == {"error": "not_found", "message": "no such route", "requestId": "rid-1"}
    assert list(body) == ["error", "message", "requestId"]


def test_build_error_body_with_details_before_request_id() -> None:
    body = error_body("invalid_request", "bad", "rid-2", [{"field": "x"}])
    assert list(body) == ["error", "message", "details", "requestId"]
    assert body["details"] == [{"field": "x"}]
