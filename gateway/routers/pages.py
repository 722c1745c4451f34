"""The web pages (DESIGN §3: gateway routes, X-Variant gateway): `/`, the pages, their files.

Only these shapes are served, so every other path keeps the gateway's 404 in the error shape:
a top-level `*.html`, and what lies under `assets/` and `vendor/`. Left out of the OpenAPI
document, which describes the API.
"""

from __future__ import annotations

from typing import cast

from fastapi import APIRouter, Request
from starlette.responses import Response

from core.exceptions import NotFound
from gateway.frontend import FrontendFiles

router = APIRouter(include_in_schema=False)
METHODS = ["GET", "HEAD"]


@router.api_route("/", methods=METHODS)
async def read_index(request: Request) -> Response:
    """Serve the evaluate-and-refine page."""
    return await _serve(request, "index.html")


@router.api_route("/{name}.html", methods=METHODS)
async def read_page(request: Request, name: str) -> Response:
    """Serve a page of frontend/."""
    return await _serve(request, f"{name}.html")


@router.api_route("/assets/{path:path}", methods=METHODS)
async def read_asset(request: Request, path: str) -> Response:
    """Serve the pages' own scripts and styles."""
    return await _serve(request, f"assets/{path}")


@router.api_route("/vendor/{path:path}", methods=METHODS)
async def read_vendored(request: Request, path: str) -> Response:
    """Serve the vendored libraries (frontend/vendor/README.md)."""
    return await _serve(request, f"vendor/{path}")


async def _serve(request: Request, path: str) -> Response:
    """The file at path in frontend/; a trailing slash is a 404, as on every other route."""
    if path.endswith("/"):
        raise NotFound("no such route")
    files = cast(FrontendFiles, request.app.state.frontend)  # app.state is untyped
    return await files.get_response(path, request.scope)
