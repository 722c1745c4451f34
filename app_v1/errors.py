"""Request ids and the one error shape (DESIGN §6) for every v1 response."""

from __future__ import annotations

import logging

from flask import Flask, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException

from core.exceptions import ApiError, InternalError
from core.http_errors import error_for_status
from core.logging import REQUEST_ID_HEADER, request_id_var, sane_request_id

logger = logging.getLogger("reqgate.v1")


def _bind_request_id() -> None:
    g.request_id = sane_request_id(request.headers.get(REQUEST_ID_HEADER))
    request_id_var.set(g.request_id)


def _tag_response(response: Response) -> Response:
    response.headers[REQUEST_ID_HEADER] = g.get("request_id") or sane_request_id(None)
    response.headers["X-Variant"] = "v1"
    return response


def _error_response(error: ApiError) -> tuple[Response, int]:
    return jsonify(error.to_body(g.get("request_id", "-"))), error.status


def _handle_http_exception(exc: HTTPException) -> tuple[Response, int]:
    return _error_response(error_for_status(exc.code or 500))


def _handle_unexpected(exc: Exception) -> tuple[Response, int]:
    logger.exception("unhandled error in v1")
    return _error_response(InternalError())


def init_app(app: Flask) -> None:
    app.before_request(_bind_request_id)
    app.after_request(_tag_response)
    app.register_error_handler(ApiError, _error_response)
    app.register_error_handler(HTTPException, _handle_http_exception)
    app.register_error_handler(Exception, _handle_unexpected)
