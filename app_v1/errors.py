"""Request ids and the one error shape (DESIGN §6) for every v1 response."""

from __future__ import annotations

import logging
from typing import cast

from flask import Flask, Response, g, jsonify, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from core.contract.errors import error_for_status
from core.contract.wire import FIXED_HEADERS, error_body
from core.exceptions import ApiError, InternalError
from core.logging import REQUEST_ID_HEADER, request_id_var, sane_request_id
from core.store.faults import storage_fault

REQUEST_ID_ENVIRON = "HTTP_X_REQUEST_ID"
logger = logging.getLogger("reqgate.v1")


def request_id() -> str:
    """The request's id: the client's X-Request-Id if sane, else a new one; bound once."""
    if "request_id" not in g:
        # the environ carries the id the gateway's middleware bound, or the client's alone
        # under gunicorn
        g.request_id = sane_request_id(request.environ.get(REQUEST_ID_ENVIRON))
        g.request_id_token = request_id_var.set(g.request_id)
    return cast(str, g.request_id)  # g is untyped


def _bind_request_id() -> None:
    request_id()  # a before_request hook that returned a value would answer the request


def _unbind_request_id(_error: BaseException | None = None) -> None:
    # The id must not outlive its request in the thread that served it: the next code
    # there would log under it, and derive its row ids from it (core.idempotency).
    token = g.pop("request_id_token", None)
    if token is not None:
        request_id_var.reset(token)


def _tag_response(response: Response) -> Response:
    response.headers[REQUEST_ID_HEADER] = request_id()
    response.headers["X-Variant"] = "v1"
    response.headers.update(FIXED_HEADERS)
    return response


def _error_response(error: ApiError) -> tuple[Response, int, dict[str, str]]:
    body = error_body(error.code, error.message, request_id(), error.details)
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
    app.before_request(_bind_request_id)
    app.teardown_request(_unbind_request_id)
    app.after_request(_tag_response)
    app.register_error_handler(ApiError, _error_response)
    app.register_error_handler(HTTPException, _handle_http_exception)
    app.register_error_handler(SQLAlchemyError, _handle_storage_error)
    app.register_error_handler(Exception, _handle_unexpected)
