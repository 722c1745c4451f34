"""A framework's bare HTTP status (unknown route, wrong method...) as the project's error."""

from __future__ import annotations

from core.exceptions import (
    ApiError,
    InternalError,
    InvalidRequest,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
)


def error_for_status(status: int, *, allowed: list[str] | None = None) -> ApiError:
    """Map a framework's HTTP error status to the project's error, with a fixed message;
    `allowed` are the route's methods, which a 405 must name."""
    if status == 404:
        return NotFound("no such route")
    if status == 405:
        return MethodNotAllowed("method not allowed on this route", allowed=allowed or [])
    if status == 413:
        return PayloadTooLarge("request body is too large")
    if status == 415:
        return UnsupportedMediaType("unsupported media type")
    if 400 <= status < 500:
        return InvalidRequest("invalid request")
    return InternalError()
