"""Every FastAPI error in the one shape of DESIGN §6; FastAPI's 422 becomes 400 invalid_request,
a storage fault 503 unavailable (core.store.faults), a client gone mid-request 499."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from core.contract.errors import error_for_status
from core.contract.wire import error_body
from core.exceptions import ApiError, ClientClosedRequest, InternalError, InvalidRequest
from core.logging import request_id_var
from core.store.faults import storage_fault

logger = logging.getLogger("reqgate.edge")


def error_response(request: Request, error: ApiError) -> JSONResponse:
    """The error as JSON; the request id comes from the context the edge middleware set."""
    body = error_body(error.code, error.message, request_id_var.get(), error.details)
    return JSONResponse(body, status_code=error.status, headers=error.headers)


async def _on_api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(request, exc)


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [
        {"field": ".".join(str(p) for p in error["loc"]), "message": error["msg"]}
        for error in exc.errors()
    ]
    return error_response(request, InvalidRequest("invalid request parameters", details))


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    allowed = (exc.headers or {}).get("Allow", "")  # Starlette's router names them on a 405
    methods = [method.strip() for method in allowed.split(",") if method.strip()]
    return error_response(request, error_for_status(exc.status_code, allowed=methods))


async def _on_storage_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SQLAlchemyError)
    if (fault := storage_fault(exc)) is not None:
        return error_response(request, fault)
    return await _on_unexpected(request, exc)


async def _on_client_gone(request: Request, exc: Exception) -> JSONResponse:
    """Starlette raises ClientDisconnect where the body should be: the client left, often
    while its request waited in a queue under load. Not an error, so no traceback; the 499
    reaches no one, but tells the gateway around v2 (and its access log) what happened."""
    return error_response(request, ClientClosedRequest())


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    logger.error("unhandled error", exc_info=exc)
    return error_response(request, InternalError())


def install(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _on_api_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(SQLAlchemyError, _on_storage_error)
    app.add_exception_handler(ClientDisconnect, _on_client_gone)
    app.add_exception_handler(Exception, _on_unexpected)
