"""The OpenAPI document of v2, completed with what FastAPI cannot see.

The routes read their bodies as raw bytes and core parses them (core.contract.bodies), so v1
and v2 refuse bad input with identical errors. FastAPI therefore knows neither the body models nor
the errors they raise: `json_body` and `BODY_ERRORS` declare them per route, and `install`
moves the body models' nested schemas into components and drops FastAPI's 422 responses, which
edge.errors answers as 400 invalid_request.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

from core.contract.wire import ErrorPublic

REF_TEMPLATE = "#/components/schemas/{model}"
MARKDOWN_MEDIA_TYPE = "text/markdown"

BODY_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorPublic, "description": "invalid JSON, a bad field or a limit exceeded"},
    413: {"model": ErrorPublic, "description": "body larger than MAX_BODY_BYTES"},
    415: {"model": ErrorPublic, "description": "unsupported Content-Type"},
}


def json_body(model: type[BaseModel], *, required: bool = True, markdown: bool = False) -> Any:
    """`openapi_extra` for a route whose JSON body core validates against `model`."""
    content: dict[str, Any] = {
        "application/json": {"schema": model.model_json_schema(ref_template=REF_TEMPLATE)}
    }
    if markdown:
        content[MARKDOWN_MEDIA_TYPE] = {"schema": {"type": "string"}}
    return {"requestBody": {"required": required, "content": content}}


def install(app: FastAPI) -> None:
    """Generate the document once, then complete it (see the module docstring)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            _complete(document)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented override


def _complete(document: dict[str, Any]) -> None:
    components = document.setdefault("components", {}).setdefault("schemas", {})
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            operation.get("responses", {}).pop("422", None)
            for media in operation.get("requestBody", {}).get("content", {}).values():
                for name, schema in media["schema"].pop("$defs", {}).items():
                    components.setdefault(name, schema)
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
