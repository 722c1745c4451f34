"""What the OpenAPI documents of v2 and the gateway share: error responses in the one shape,
and FastAPI's 422 replaced by the 400 that edge.errors answers instead."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from core.contract.wire import ErrorPublic

REF_TEMPLATE = "#/components/schemas/{model}"
ERROR_CONTENT = {
    "content": {"application/json": {"schema": {"$ref": REF_TEMPLATE.format(model="ErrorPublic")}}}
}


def error_responses(described: dict[int, str]) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: each status with its description and the one error body."""
    return {
        status: {"model": ErrorPublic, "description": description}
        for status, description in described.items()
    }


def complete(document: dict[str, Any]) -> None:
    """Declare 400 where FastAPI declared its 422 (edge.errors answers 400 invalid_request),
    and move request bodies' nested schemas into components."""
    components = document.setdefault("components", {}).setdefault("schemas", {})
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.get("responses", {})
            if responses.pop("422", None) is not None and "400" not in responses:
                responses["400"] = {"description": "a bad parameter or body field", **ERROR_CONTENT}
            for media in operation.get("requestBody", {}).get("content", {}).values():
                for name, schema in media["schema"].pop("$defs", {}).items():
                    components.setdefault(name, schema)
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    components.setdefault("ErrorPublic", ErrorPublic.model_json_schema(ref_template=REF_TEMPLATE))


def install(app: FastAPI, finish: Callable[[dict[str, Any]], None]) -> None:
    """Serve FastAPI's document for the app, generated once and then finished by `finish`."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            finish(document)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented override
