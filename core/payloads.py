"""Turning raw request bodies into validated models, identically for v1 and v2.

Both apps hand the raw bytes and Content-Type here, so the same bad input gets the same
error code, message and details whichever variant serves it (the contract tests compare).
Checks run cheapest first: size (413), media type (415), JSON syntax (400), shape (400),
then the limits that depend on settings (400).
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from core.engines.base import Language
from core.exceptions import InvalidRequest, PayloadTooLarge, UnsupportedMediaType
from core.schemas import BatchValidateCreate, EvaluationCreate
from core.settings import Settings

ModelT = TypeVar("ModelT", bound=BaseModel)


def check_body_size(size: int, max_bytes: int) -> None:
    """Refuse bodies over MAX_BODY_BYTES before reading or parsing more of them."""
    if size > max_bytes:
        raise PayloadTooLarge(f"request body exceeds {max_bytes} bytes", {"maxBytes": max_bytes})


def is_json_media_type(content_type: str | None) -> bool:
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


def decode_json(body: bytes, content_type: str | None, *, max_bytes: int) -> Any:
    """The JSON value of a request body, or the API error that explains what is wrong."""
    check_body_size(len(body), max_bytes)
    if not is_json_media_type(content_type):
        raise UnsupportedMediaType(
            "Content-Type must be application/json",
            {"contentType": (content_type or "")[:100]},
        )
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidRequest("request body is not valid JSON") from exc


def validate_model(model: type[ModelT], data: Any) -> ModelT:
    """Validate decoded JSON against a request model, naming each bad field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        details = [
            {
                "field": ".".join(str(part) for part in error["loc"]) or "body",
                "message": error["msg"],
            }
            for error in exc.errors(include_url=False, include_context=False, include_input=False)
        ]
        raise InvalidRequest("request body does not match the expected shape", details) from exc


def check_requirement_text(text: str, settings: Settings, *, field: str) -> None:
    """Refuse blank texts and texts over MAX_REQUIREMENT_CHARS."""
    if not text.strip():
        raise InvalidRequest(f"{field} must not be empty", {"field": field})
    if len(text) > settings.max_requirement_chars:
        raise InvalidRequest(
            f"{field} is longer than {settings.max_requirement_chars} characters",
            {"field": field, "maxChars": settings.max_requirement_chars, "length": len(text)},
        )


def parse_evaluation(data: Any, settings: Settings) -> EvaluationCreate:
    """The body of POST /api/v1/evaluations."""
    request = validate_model(EvaluationCreate, data)
    check_requirement_text(request.requirement_text, settings, field="requirementText")
    return request


def parse_batch_validate(data: Any, settings: Settings) -> BatchValidateCreate:
    """The body of POST /api/v1/validate/batch: a bare list of texts or {items, ...}."""
    request = validate_model(
        BatchValidateCreate, {"items": data} if isinstance(data, list) else data
    )
    if not request.items:
        raise InvalidRequest("items must not be empty", {"field": "items"})
    if len(request.items) > settings.max_batch_items:
        raise InvalidRequest(
            f"too many items: {len(request.items)} > {settings.max_batch_items}",
            {"field": "items", "maxItems": settings.max_batch_items, "count": len(request.items)},
        )
    for index, text in enumerate(request.items):
        check_requirement_text(text, settings, field=f"items.{index}")
    return request


def parse_language(value: str | None) -> Language:
    """The ?language= of a listing: de or en (default en)."""
    if value in (None, "", "en"):
        return "en"
    if value == "de":
        return "de"
    raise InvalidRequest("language must be 'de' or 'en'", {"field": "language"})
