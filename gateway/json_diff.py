"""Where two JSON answers of the same request differ: paths and value types, never values.

Shadow mode compares v1's answer with v2's (gateway/shadow.py). What a comparison keeps
must be safe to hold and to show: a path names fields of the API's own models (array
positions as `[]`, any other key as `*`: a key may be data), and a value is reduced to its
JSON type. Numbers are equal within a tolerance, and the arrays whose order carries no
meaning (ORDERLESS) are compared as multisets.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from itertools import zip_longest
from typing import Any

from pydantic import BaseModel

import core.atoms
import core.contract.batch
import core.contract.decisions
import core.contract.evaluations  # noqa: F401  (the response models whose names paths keep)
from core.catalogue import catalogue_keys

# Fields that differ on every call (ids, timings), and so between variants too.
VOLATILE_KEYS = frozenset(
    {"evaluationId", "rewrittenId", "decisionId", "latencyMs", "requestId", "durationMs"}
)
# The keys a validate/batch/stream line adds to the models' (core/stream.py).
STREAM_LINE_KEYS = frozenset({"event", "index", "pairs", "processed", "failed"})
# Arrays whose order means nothing: per-criterion details and verdicts, findings and
# suggestions come in whatever order an engine produced them.
ORDERLESS = frozenset({"details", "evaluation", "findings", "suggestions"})
MAX_DIFFERENCES = 64  # per comparison: enough to explain it, bounded for a huge answer
_MISSING = object()  # a key or array position one side does not have


@dataclass(frozen=True, slots=True, order=True)
class Difference:
    """One path where the answers differ, with each side's JSON type (`missing` if absent)."""

    path: str
    v1: str
    v2: str


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


@cache
def _known_names() -> frozenset[str]:
    """Field names of the API's models (both spellings), of the stream's lines and the
    catalogue's criterion keys."""
    names: set[str] = set(catalogue_keys()) | VOLATILE_KEYS | STREAM_LINE_KEYS
    pending = list(BaseModel.__subclasses__())
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        if model.__module__.startswith("core."):
            for name, field in model.model_fields.items():
                names.update(n for n in (name, field.alias) if n)
    return frozenset(names)


def normalized(value: Any) -> Any:
    """The JSON without the fields that differ on every call."""
    if isinstance(value, dict):
        return {k: normalized(v) for k, v in value.items() if k not in VOLATILE_KEYS}
    if isinstance(value, list):
        return [normalized(v) for v in value]
    return value


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def differences(v1: Any, v2: Any, *, tolerance: float) -> list[Difference]:
    """The distinct paths where v1's JSON and v2's differ, sorted, at most MAX_DIFFERENCES."""
    found: set[Difference] = set()
    _walk(v1, v2, "$", "", tolerance, found)
    return sorted(found)[:MAX_DIFFERENCES]


def _walk(a: Any, b: Any, path: str, key: str, tolerance: float, found: set[Difference]) -> None:
    if len(found) >= MAX_DIFFERENCES:
        return
    if isinstance(a, dict) and isinstance(b, dict):
        names = _known_names()
        for name in sorted(a.keys() | b.keys()):
            child = f"{path}.{name if name in names else '*'}"
            _pair(a.get(name, _MISSING), b.get(name, _MISSING), child, name, tolerance, found)
        return
    if isinstance(a, list) and isinstance(b, list):
        if key in ORDERLESS:
            a, b = sorted(a, key=_canonical), sorted(b, key=_canonical)
        for left, right in zip_longest(a, b, fillvalue=_MISSING):
            _pair(left, right, path + "[]", key, tolerance, found)
        return
    if _equal(a, b, tolerance):
        return
    found.add(Difference(path, json_type(a), json_type(b)))


def _pair(a: Any, b: Any, path: str, key: str, tolerance: float, found: set[Difference]) -> None:
    """Compare two values found at one path, either of which may be missing."""
    if a is _MISSING or b is _MISSING:
        found.add(Difference(path, _type_or_missing(a), _type_or_missing(b)))
    else:
        _walk(a, b, path, key, tolerance, found)


def _type_or_missing(value: Any) -> str:
    return "missing" if value is _MISSING else json_type(value)


def _equal(a: Any, b: Any, tolerance: float) -> bool:
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers):
        if isinstance(a, bool) or isinstance(b, bool):
            return a is b
        return abs(a - b) <= tolerance
    return bool(a == b) and type(a) is type(b)


def judgements(value: Any, path: str = "$") -> dict[str, tuple[str, float]]:
    """Every evaluation's verdict and score in an answer, by its exact path (the top level,
    each batch item, each stream line), to pair v1's with v2's."""
    found: dict[str, tuple[str, float]] = {}
    if isinstance(value, dict):
        verdict, score = value.get("verdict"), value.get("score")
        if isinstance(verdict, str) and isinstance(score, int | float):
            found[path] = (verdict, float(score))
        for name, child in value.items():
            found.update(judgements(child, f"{path}.{name}"))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found.update(judgements(child, f"{path}[{index}]"))
    return found
