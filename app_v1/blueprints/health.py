"""Liveness of the v1 app alone (the gateway has its own /health)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("health", __name__)


@bp.get("/health")
def health() -> dict[str, str]:
    """Report that the v1 app is up."""
    return {"status": "ok", "variant": "v1"}
