"""Admin authorisation for every FastAPI app of reqgate (the gateway's ops API, v2's vector
admin): `Authorization: Bearer ADMIN_TOKEN`, compared in constant time."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request

from core.exceptions import Forbidden, Unauthorized
from core.settings import Settings

BEARER = "bearer "


def token_matches(settings: Settings, authorization: str | None) -> bool:
    """True iff an admin token is configured and the header carries exactly it."""
    if not settings.admin_token or not authorization:
        return False
    if authorization[: len(BEARER)].lower() != BEARER:
        return False
    # compare_digest takes as long for a near miss as for a wild guess (no timing oracle).
    return hmac.compare_digest(
        authorization[len(BEARER) :].strip().encode(), settings.admin_token.encode()
    )


def require_admin(request: Request) -> str:
    """403 while the admin API is disabled, 401 for a missing or wrong token; else the actor."""
    settings: Settings = request.app.state.settings
    if not settings.admin_token:
        raise Forbidden("admin API disabled")
    if not token_matches(settings, request.headers.get("authorization")):
        raise Unauthorized("a valid admin token is required", {"scheme": "Bearer"})
    actor = request.headers.get("x-actor", "").strip()
    return actor[:100] if actor.isprintable() and actor else "admin"


AdminDep = Annotated[str, Depends(require_admin)]
