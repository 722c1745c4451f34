"""Request ids and the one error shape (DESIGN §6) for every v1 response."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Response, jsonify
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from core.contract.errors import error_for_status
from core.contract.wire import FIXED_HEADERS, error_body
from core.exceptions import ApiError, InternalError
from core.logging import REQUEST_ID_HEADER, request_id_var, sane_request_id
from core.store.faults import storage_fault

REQUEST_ID_ENVIRON = "HTTP_X_REQUEST_ID"
TAGS = (("X-Variant", "v1"), *FIXED_HEADERS.items())
TAG_NAMES = frozenset({REQUEST_ID_HEADER.lower(), *(name.lower() for name, _ in TAGS)})
logger = logging.getLogger("reqgate.v1")

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class RequestIdMiddleware:
    """Binds the request id around the whole WSGI call and tags every response with it.

    The id is the client's X-Request-Id if sane, else a new one (under the gateway, the id
    its middleware bound, in the environ). It is bound before Flask's request context
    exists and released once it is gone: it must not outlive its request in the thread
    that served it, where the next code would log under it and derive its row ids from it
    (core.idempotency). Every response start, whatever made it (a view, an error handler,
    Flask itself), carries X-Request-Id, X-Variant: v1 and the fixed headers. Wraps Flask's
    `wsgi_app`, Flask's place for WSGI middleware; request hooks doing the same cost three
    calls through Flask's dispatch per request.
    """

    def __init__(self, wsgi_app: WSGIApp) -> None:
        self.wsgi_app = wsgi_app

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        request_id = sane_request_id(environ.get(REQUEST_ID_ENVIRON))
        tags = [(REQUEST_ID_HEADER, request_id), *TAGS]

        def start_tagged(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            kept = [(name, value) for name, value in headers if name.lower() not in TAG_NAMES]
            return start_response(status, kept + tags, exc_info)

        token = request_id_var.set(request_id)
        try:
            return self.wsgi_app(environ, start_tagged)
        finally:
            request_id_var.reset(token)


def _error_response(error: ApiError) -> tuple[Response, int, dict[str, str]]:
    body = error_body(error.code, error.message, request_id_var.get(), error.details)
    return jsonify(body), error.status, error.headers


def _handle_http_exception(exc: HTTPException) -> tuple[Response, int, dict[str, str]]:
    # werkzeug's 405 knows the route's methods (valid_methods); a 405 must name them
    allowed = list(getattr(exc, "valid_methods", None) or [])
    return _error_response(error_for_status(exc.code or 500, allowed=allowed))


def _handle_storage_error(exc: SQLAlchemyError) -> tuple[Response, int, dict[str, str]]:
    if (fault := storage_fault(exc)) is not None:
        return _error_response(fault)
    return _handle_unexpected(exc)


def _handle_unexpected(exc: Exception) -> tuple[Response, int, dict[str, str]]:
    logger.exception("unhandled error in v1")
    return _error_response(InternalError())


def init_app(app: Flask) -> None:
    app.wsgi_app = RequestIdMiddleware(app.wsgi_app)  # type: ignore[method-assign]
    app.register_error_handler(ApiError, _error_response)
    app.register_error_handler(HTTPException, _handle_http_exception)
    app.register_error_handler(SQLAlchemyError, _handle_storage_error)
    app.register_error_handler(Exception, _handle_unexpected)
