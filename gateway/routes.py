"""Which paths belong to whom (DESIGN §3): shared, v2-only, or the gateway itself."""

from __future__ import annotations

from typing import Literal

RouteKind = Literal["shared", "v1-only", "v2-only", "gateway"]

SHARED_ROUTES: frozenset[tuple[str, str]] = frozenset(
    {
        ("GET", "/api/v1/criteria"),
        ("POST", "/api/v1/evaluations"),
        ("POST", "/api/v1/batch/evaluate"),
        ("POST", "/api/v1/batch/suggest"),
        ("POST", "/api/v1/batch/rewrite"),
        ("POST", "/api/v1/validate/batch"),
        ("POST", "/api/v1/validate/batch/stream"),
        ("POST", "/api/v1/validate/suggest"),
        ("POST", "/api/v1/corrections/apply"),
        ("POST", "/api/v1/corrections/text"),
        ("POST", "/api/v1/corrections/decision"),
        ("POST", "/api/v1/corrections/decision/batch"),
        ("GET", "/api/v1/demo/requirements"),
    }
)
SHARED_PATHS = frozenset(path for _, path in SHARED_ROUTES)
V2_ONLY_PREFIXES = ("/api/v2/",)
# v2 features served under the v1 prefix because clients of the original system call them there.
V2_ONLY_PATHS = frozenset(
    {
        "/api/v1/validate/refine",
        "/api/v1/mining/extract",
        "/api/v1/mining/conflicts",
        "/api/v1/reports/summary",
        "/api/v1/reports/export",
        "/api/v1/files/ingest",
        "/api/v1/files/ingest/stream",
        "/api/v1/rag/search",
        "/api/v1/vector/collections",
        "/api/v1/vector/health",
        "/api/v1/vector/source/full",
        "/api/v1/vector/reset",
    }
)
V1_ONLY_PREFIXES = ("/api/v1/",)


def classify(method: str, path: str) -> RouteKind:
    """Shared routes are matched on path alone so that CORS preflights and wrong methods
    reach the same app as the real request would."""
    path = path.rstrip("/") or "/"
    if path in SHARED_PATHS:
        return "shared"
    if path in V2_ONLY_PATHS or path.startswith(V2_ONLY_PREFIXES):
        return "v2-only"
    # Legacy routes not (yet) in v2 stay reachable on v1 instead of becoming gateway 404s.
    if path.startswith(V1_ONLY_PREFIXES):
        return "v1-only"
    return "gateway"
