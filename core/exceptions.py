"""Core's error hierarchy; the HTTP edges turn each class into one error code and status.

ReqgateError
├── ConfigError            bad settings: start-up stops
├── AttemptCancelled       the gateway gave up on this attempt (core.attempts)
└── ApiError               anything a client can be told about
    ├── InvalidRequest     400 invalid_request
    ├── ConfirmRequired    400 confirm_required
    ├── Unauthorized       401 unauthorized
    ├── Forbidden          403 forbidden
    ├── NotFound           404 not_found
    ├── MethodNotAllowed   405 method_not_allowed
    ├── Conflict           409 conflict
    ├── RequestTimeout     408 request_timeout
    ├── PayloadTooLarge    413 payload_too_large
    ├── UnsupportedMediaType 415 unsupported_media_type
    ├── ClientClosedRequest 499 client_closed_request
    └── Unavailable        503 unavailable
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar


class ReqgateError(Exception):
    """Base of every error raised on purpose by reqgate."""


class ConfigError(ReqgateError):
    """The configuration is invalid; the message names the variable."""


class AttemptCancelled(ReqgateError):
    """Whoever ran this attempt at a request has given up on it: its answer would be
    thrown away, so its work stops between items and writes nothing (core.attempts)."""


class ApiError(ReqgateError):
    """An error with a stable code and HTTP status, safe to show to the client.

    `headers` go on the response beside the body: the ones HTTP requires with some
    statuses (Allow with 405, WWW-Authenticate with 401, RFC 9110 §15.5).
    """

    code: ClassVar[str] = "internal_error"
    status: ClassVar[int] = 500

    def __init__(
        self, message: str, details: Any = None, *, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        self.headers = dict(headers or {})  # e.g. Retry-After, sent with the error body


class InvalidRequest(ApiError):
    code, status = "invalid_request", 400


class ConfirmRequired(ApiError):
    code, status = "confirm_required", 400


class Unauthorized(ApiError):
    code, status = "unauthorized", 401

    def __init__(self, message: str, details: Any = None) -> None:
        super().__init__(message, details, headers={"WWW-Authenticate": 'Bearer realm="reqgate"'})


class Forbidden(ApiError):
    code, status = "forbidden", 403


class NotFound(ApiError):
    code, status = "not_found", 404


class MethodNotAllowed(ApiError):
    code, status = "method_not_allowed", 405

    def __init__(self, message: str, *, allowed: list[str]) -> None:
        super().__init__(message, headers={"Allow": ", ".join(allowed)})


class Conflict(ApiError):
    code, status = "conflict", 409


class RequestTimeout(ApiError):
    """The request body did not arrive within HTTP_BODY_TIMEOUT_S."""

    code, status = "request_timeout", 408


class PayloadTooLarge(ApiError):
    code, status = "payload_too_large", 413


class UnsupportedMediaType(ApiError):
    code, status = "unsupported_media_type", 415


class ClientClosedRequest(ApiError):
    """The client closed the connection before its request body was read in full.

    Nobody reads the answer: its status, 499 as nginx logs it, tells the access log and the
    metrics that the client left, which is neither a server error nor a v2 failure.
    """

    code, status = "client_closed_request", 499

    def __init__(self) -> None:
        super().__init__("the client closed the connection before its request was complete")


class Unavailable(ApiError):
    """A dependency is down or busy; with `retry_after_s` the client is told when to retry."""

    code, status = "unavailable", 503

    def __init__(
        self, message: str, details: Any = None, *, retry_after_s: int | None = None
    ) -> None:
        retry = {} if retry_after_s is None else {"Retry-After": str(retry_after_s)}
        super().__init__(message, details, headers=retry)


class InternalError(ApiError):
    """Raised by the edges for unexpected failures; the message never carries exception text."""

    code, status = "internal_error", 500

    def __init__(self) -> None:
        super().__init__("internal error; quote the request id when reporting it")
