"""Turning raw request bodies into validated models, identically for v1 and v2: JSON and
markdown, every route.

Both apps hand the raw bytes and Content-Type here, so the same bad input gets the same
error code, message and details whichever variant serves it (the contract tests compare).
Checks run cheapest first: size (413), media type (415), JSON syntax (400), shape (400),
then the limits that depend on settings (400). For the batch routes an empty body, or JSON
without `markdown`, means the file at REQUIREMENTS_MD_PATH; `{"markdown": "..."}` or a
`text/markdown` body carry the table.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from core.contract.batch import ApplyCreate, CorrectionTextCreate, MarkdownCreate, RefineCreate
from core.contract.decisions import DecisionBatchCreate, DecisionCreate
from core.contract.evaluations import (
    BatchValidateCreate,
    EvaluationContext,
    EvaluationCreate,
    glossary_of,
)
from core.contract.mining import ConflictsCreate, MiningCreate, MiningOptions
from core.engines.base import Language
from core.exceptions import InvalidRequest, NotFound, PayloadTooLarge, UnsupportedMediaType
from core.glossary import Glossary
from core.markdown import MalformedTable, Table, parse_table
from core.settings import Settings

ModelT = TypeVar("ModelT", bound=BaseModel)


def check_body_size(size: int, max_bytes: int) -> None:
    """Refuse bodies over MAX_BODY_BYTES before reading or parsing more of them."""
    if size > max_bytes:
        raise PayloadTooLarge(f"request body exceeds {max_bytes} bytes", {"maxBytes": max_bytes})


def media_type(content_type: str | None) -> str:
    """The media type of a Content-Type header, lower case, without parameters."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def is_json_media_type(content_type: str | None) -> bool:
    kind = media_type(content_type)
    return kind == "application/json" or kind.endswith("+json")


def decode_json(body: bytes, content_type: str | None, *, max_bytes: int) -> Any:
    """The JSON value of a request body, or the API error that explains what is wrong."""
    check_body_size(len(body), max_bytes)
    if not is_json_media_type(content_type):
        raise UnsupportedMediaType(
            "Content-Type must be application/json",
            {"contentType": (content_type or "")[:100]},
        )
    try:
        value = json.loads(body)
    except RecursionError as exc:
        raise InvalidRequest("request body is nested too deeply") from exc
    except (UnicodeDecodeError, ValueError) as exc:
        # ValueError: bad syntax (JSONDecodeError), or an integer past Python's digit limit.
        raise InvalidRequest("request body is not valid JSON") from exc
    _refuse_unstorable(value)
    return value


def _refuse_unstorable(value: Any) -> None:
    """Strings no store can keep, refused here, once, for every route: half a UTF-16 pair
    ("\\ud800") cannot be checksummed or sent back as UTF-8, and PostgreSQL cannot store a
    NUL character in text (SQLite can: both databases must answer alike)."""
    for text in _strings(value):
        if "\x00" in text:
            raise InvalidRequest("request body holds a NUL character")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise InvalidRequest("request body holds an unpaired UTF-16 surrogate") from exc


def _strings(value: Any) -> Iterator[str]:
    """Every string in a decoded JSON value, keys included; iterative, so a deep value that
    the parser accepted cannot exhaust the stack here."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


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


def check_item_count(count: int, settings: Settings) -> None:
    """Refuse an empty list of items, or one longer than MAX_BATCH_ITEMS."""
    if not count:
        raise InvalidRequest("items must not be empty", {"field": "items"})
    if count > settings.max_batch_items:
        raise InvalidRequest(
            f"too many items: {count} > {settings.max_batch_items}",
            {"field": "items", "maxItems": settings.max_batch_items, "count": count},
        )


def parse_batch_validate(data: Any, settings: Settings) -> BatchValidateCreate:
    """The body of POST /api/v1/validate/batch: a bare list of texts or {items, ...}."""
    request = validate_model(
        BatchValidateCreate, {"items": data} if isinstance(data, list) else data
    )
    check_items(request.items, settings)
    return request


def check_items(items: list[str], settings: Settings) -> None:
    """A list of requirement texts: not empty, at most MAX_BATCH_ITEMS, each text checked."""
    check_item_count(len(items), settings)
    for index, text in enumerate(items):
        check_requirement_text(text, settings, field=f"items.{index}")


def parse_language(value: str | None) -> Language:
    """The ?language= of a listing: de or en (default en)."""
    if value in (None, "", "en"):
        return "en"
    if value == "de":
        return "de"
    raise InvalidRequest("language must be 'de' or 'en'", {"field": "language"})


MARKDOWN_MEDIA_TYPES = frozenset({"text/markdown", "text/x-markdown", "text/plain"})


@dataclass(frozen=True, slots=True)
class BatchInput:
    table: Table
    criteria_keys: list[str] | None = None


def read_requirements_file(settings: Settings) -> Table:
    """The table at REQUIREMENTS_MD_PATH; a missing file is a 404, not a 500."""
    path: Path = settings.requirements_md_path
    try:
        markdown = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise NotFound("requirements file not found", {"file": path.name}) from exc
    except (IsADirectoryError, PermissionError, UnicodeDecodeError) as exc:
        raise InvalidRequest("requirements file cannot be read", {"file": path.name}) from exc
    return checked_table(markdown, settings)


def checked_table(markdown: str, settings: Settings) -> Table:
    """Parse the table and apply the batch limits (row count, text length) to it."""
    if not markdown.strip():
        raise InvalidRequest("markdown must not be empty", {"field": "markdown"})
    table = parse_table(markdown)
    if len(table.rows) > settings.max_batch_items:
        raise InvalidRequest(
            f"too many rows: {len(table.rows)} > {settings.max_batch_items}",
            {"maxItems": settings.max_batch_items, "count": len(table.rows)},
        )
    problems = [
        (row.line, f"requirementText is longer than {settings.max_requirement_chars} characters")
        for row in table.rows
        if len(row.text) > settings.max_requirement_chars
    ]
    problems += [
        (row.line, problem) for row in table.rows if (problem := _bad_glossary(row.context))
    ]
    if problems:
        raise MalformedTable(sorted(problems))
    return table


def _bad_glossary(context: dict[str, Any]) -> str | None:
    """What is wrong with a row's context.glossary (the same limits as a request's), if anything."""
    if "glossary" not in context:
        return None
    try:
        EvaluationContext.model_validate({"glossary": context["glossary"]})
    except ValidationError as exc:
        error = exc.errors(include_url=False, include_context=False, include_input=False)[0]
        return f"context.{'.'.join(str(part) for part in error['loc'])}: {error['msg']}"
    return None


def row_glossary(context: dict[str, Any]) -> Glossary | None:
    """A row's context.glossary, already checked by checked_table, as a Glossary."""
    if "glossary" not in context:
        return None
    return glossary_of(EvaluationContext.model_validate({"glossary": context["glossary"]}))


def parse_batch_input(body: bytes, content_type: str | None, settings: Settings) -> BatchInput:
    """The table (and options) a POST /api/v1/batch/* request asks to process."""
    check_body_size(len(body), settings.max_body_bytes)
    if not body.strip():
        return BatchInput(read_requirements_file(settings))
    if media_type(content_type) in MARKDOWN_MEDIA_TYPES:
        try:
            return BatchInput(checked_table(body.decode("utf-8"), settings))
        except UnicodeDecodeError as exc:
            raise InvalidRequest("markdown body is not valid UTF-8") from exc
    if not is_json_media_type(content_type):
        raise UnsupportedMediaType(
            "Content-Type must be application/json or text/markdown",
            {"contentType": (content_type or "")[:100]},
        )
    request = validate_model(
        MarkdownCreate, decode_json(body, content_type, max_bytes=settings.max_body_bytes)
    )
    if request.markdown is None:
        return BatchInput(read_requirements_file(settings), request.criteria_keys)
    return BatchInput(checked_table(request.markdown, settings), request.criteria_keys)


def parse_apply(data: Any, settings: Settings) -> ApplyCreate:
    """The body of POST /api/v1/corrections/apply."""
    request = validate_model(ApplyCreate, data)
    check_requirement_text(request.original_text, settings, field="originalText")
    return request


def parse_correction_text(data: Any, settings: Settings) -> CorrectionTextCreate:
    """The body of POST /api/v1/corrections/text."""
    request = validate_model(CorrectionTextCreate, data)
    check_requirement_text(request.original_text, settings, field="originalText")
    check_requirement_text(request.text, settings, field="text")
    return request


def parse_decision(data: Any, settings: Settings) -> DecisionCreate:
    """The body of POST /api/v1/corrections/decision."""
    request = validate_model(DecisionCreate, data)
    if request.requirement_text is not None:
        check_requirement_text(request.requirement_text, settings, field="requirementText")
    return request


def parse_decision_batch(data: Any, settings: Settings) -> DecisionBatchCreate:
    """The body of POST /api/v1/corrections/decision/batch: a bare list or {items}."""
    request = validate_model(
        DecisionBatchCreate, {"items": data} if isinstance(data, list) else data
    )
    check_item_count(len(request.items), settings)
    for index, item in enumerate(request.items):
        if item.requirement_text is not None:
            field = f"items.{index}.requirementText"
            check_requirement_text(item.requirement_text, settings, field=field)
    return request


def parse_refine(data: Any, settings: Settings) -> RefineCreate:
    """The body of POST /api/v1/validate/refine."""
    request = validate_model(RefineCreate, data)
    check_requirement_text(request.requirement_text, settings, field="requirementText")
    return request


def parse_mining(body: bytes, content_type: str | None, settings: Settings) -> MiningCreate:
    """The body of POST /api/v1/mining/extract: JSON, or the document itself as markdown or
    plain text (then with the default source and options); app_v2 reads files itself."""
    check_body_size(len(body), settings.max_body_bytes)
    if media_type(content_type) in MARKDOWN_MEDIA_TYPES:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidRequest("markdown body is not valid UTF-8") from exc
        _refuse_unstorable(text)
        request = MiningCreate(text=text)
    elif is_json_media_type(content_type):
        data = decode_json(body, content_type, max_bytes=settings.max_body_bytes)
        request = validate_model(MiningCreate, data)
    else:
        raise UnsupportedMediaType(
            "Content-Type must be application/json, text/markdown or multipart/form-data",
            {"contentType": (content_type or "")[:100]},
        )
    if not request.text.strip():
        raise InvalidRequest("text must not be empty", {"field": "text"})
    check_mining_chars(len(request.text), settings, field="text")
    return request


def parse_mining_options(fields: Mapping[str, str]) -> MiningOptions:
    """The form fields sent with the files of POST /api/v1/mining/extract."""
    return validate_model(MiningOptions, dict(fields))


def check_mining_chars(length: int, settings: Settings, *, field: str) -> None:
    """Refuse a document (or the text of all uploaded files) over MAX_MINING_CHARS."""
    if length > settings.max_mining_chars:
        raise InvalidRequest(
            f"{field} is longer than {settings.max_mining_chars} characters",
            {"field": field, "maxChars": settings.max_mining_chars, "length": length},
        )


def parse_conflicts(data: Any, settings: Settings) -> ConflictsCreate:
    """The body of POST /api/v1/mining/conflicts: a bare list of texts, {items}, or {source}."""
    request = validate_model(ConflictsCreate, {"items": data} if isinstance(data, list) else data)
    if (request.items is None) == (request.source is None):
        raise InvalidRequest("send either items or source", {"field": "items"})
    if request.items is not None:
        check_items(request.items, settings)
    return request
