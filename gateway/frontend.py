"""The web pages of frontend/ (DESIGN §2): static files, served as they are, with strict headers.

Starlette's StaticFiles does the file work: content type, ETag and Last-Modified with 304
answers, HEAD, no directory listing, and no path that resolves outside the directory.
This adds the headers a page needs on top of the gateway's nosniff: a Content-Security-Policy
that allows scripts, styles and requests from this origin only (no inline script, no
external host), no framing, no referrer, and revalidation on every load, since the files have
no content hash in their names (there is no build step).
"""

from __future__ import annotations

from pathlib import Path

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from core.settings import Settings

SOURCE_FRONTEND = Path(__file__).parents[1] / "frontend"
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Cache-Control": "no-cache",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


class FrontendFiles(StaticFiles):
    """StaticFiles whose every answer, 304s included, carries PAGE_HEADERS."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.update(PAGE_HEADERS)
        return response


def frontend_files(settings: Settings) -> FrontendFiles:
    """The pages at FRONTEND_DIR, else the source tree's; a missing directory answers 404s
    rather than stopping the gateway, whose API does not need it."""
    return FrontendFiles(directory=settings.frontend_dir or SOURCE_FRONTEND, check_dir=False)
