"""The gateway's published OpenAPI document: every route a client can call on port 8087.

The gateway serves its own routes (health, metrics, runtime config) and passes the shared
and v2-only routes on, so its document is its own operations plus v2's for the paths the
router gives to v2 or the shared pair (gateway.routes.classify). Where both name a path
(v2's /health), the gateway's operation is the one a client reaches, so it wins.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from edge.openapi import complete
from gateway.routes import classify

Document = dict[str, Any]


def merge(own: Document, v2: Document) -> None:
    """Add to the gateway's own document the operations of v2 that the gateway forwards."""
    paths = own.setdefault("paths", {})
    for path, operations in v2.get("paths", {}).items():
        if path not in paths and classify("GET", path) != "gateway":
            paths[path] = operations
    schemas = own.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in v2.get("components", {}).get("schemas", {}).items():
        schemas.setdefault(name, schema)
    own.setdefault("tags", []).extend(tag for tag in v2.get("tags", []) if tag not in own["tags"])


def merged_with(v2_document: Callable[[], Document]) -> Callable[[Document], None]:
    """A finisher for edge.openapi.install: complete the gateway's document, then merge."""

    def finish(own: Document) -> None:
        complete(own)
        merge(own, v2_document())

    return finish
