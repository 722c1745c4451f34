"""The HTTP side of core's errors, free of any web framework.

The one error body of DESIGN §6, which every renderer (v1, v2, the gateway) sends, and the
API error for a bare HTTP status raised by a framework (unknown route, wrong method...).
"""

from __future__ import annotations

from typing import Any

from core.exceptions import (
    ApiError,
    InternalError,
    InvalidRequest,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
)


def error_body(code: str, message: str, request_id: str, details: Any = None) -> dict[str, Any]:
    """The one error shape of the API: `details` only when there are some."""
    body: dict[str, Any] = {"error": code, "message": message}
    if details is not None:
        body["details"] = details
    body["requestId"] = request_id
    return body


class MethodNotAllowed(ApiError):
    code, status = "method_not_allowed", 405


def error_for_status(status: int) -> ApiError:
    """Map a framework's HTTP error status to the project's error, with a fixed message."""
    if status == 404:
        return NotFound("no such route")
    if status == 405:
        return MethodNotAllowed("method not allowed on this route")
    if status == 413:
        return PayloadTooLarge("request body is too large")
    if status == 415:
        return UnsupportedMediaType("unsupported media type")
    if 400 <= status < 500:
        return InvalidRequest("invalid request")
    return InternalError()
