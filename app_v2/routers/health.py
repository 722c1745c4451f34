"""Liveness of the v2 app alone (the gateway has its own /health)."""

from fastapi import APIRouter

router = APIRouter(tags=["health"])


@router.get("/health")
def health() -> dict[str, str]:
    """Report that the v2 app is up."""
    return {"status": "ok", "variant": "v2"}
