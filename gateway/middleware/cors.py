"""CORS for web clients on other origins, refusals in the project's error shape."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse, Response

from core.contract.wire import error_body
from core.exceptions import InvalidRequest
from core.logging import request_id_var


class JsonCorsMiddleware(CORSMiddleware):
    """Starlette's CORS handling; a refused preflight answers JSON, not plain text."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        reason = bytes(response.body).decode("utf-8", "replace")
        error = InvalidRequest(f"CORS preflight refused: {reason}")
        body = error_body(error.code, error.message, request_id_var.get())
        return JSONResponse(body, status_code=error.status)
