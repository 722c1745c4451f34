"""What the LLM must answer: strict JSON schemas sent to the server, pydantic models to check.

The schemas follow OpenAI's strict structured-output rules (every property required, no
additional properties), so servers that enforce them return exactly this shape. Servers that
only offer json_object mode get the schema in the prompt instead, and the pydantic models
are the check that holds either way: every answer is validated before it is used.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from core.atoms import MetricOp, SuggestionAtom
from core.engines.base import Priority
from core.engines.results import RequirementKind

JsonSchema = dict[str, Any]
_STRING: JsonSchema = {"type": "string"}
_PRIORITIES = ["high", "medium", "low"]
_METRIC_OPS = list(get_args(MetricOp))


def _object(properties: dict[str, JsonSchema]) -> JsonSchema:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def _array(items: JsonSchema) -> JsonSchema:
    return {"type": "array", "items": items}


def evaluate_schema(criteria: Sequence[str]) -> JsonSchema:
    finding = _object({"code": _STRING, "message": _STRING, "fragment": _STRING})
    result = _object(
        {
            "criterion": {"type": "string", "enum": list(criteria)},
            "score": {"type": "number"},
            "feedback": _STRING,
            "findings": _array(finding),
        }
    )
    suggestion = _object({"text": _STRING, "priority": {"type": "string", "enum": _PRIORITIES}})
    return _object(
        {
            "results": _array(result),
            "suggestions": _array(suggestion),
            "rewrite": _STRING,
        }
    )


def suggest_schema(criteria: Sequence[str]) -> JsonSchema:
    metric = _object(
        {
            "name": _STRING,
            "op": {"type": "string", "enum": _METRIC_OPS},
            "value": {"type": "number"},
            "unit": {"type": ["string", "null"]},
        }
    )
    atom = _object(
        {
            "original_fragment": _STRING,
            "correction": _STRING,
            "acceptance_criteria": _array(_STRING),
            "metrics": _array(metric),
            "criteria": _object({key: {"type": "boolean"} for key in criteria}),
            "notes": _STRING,
            "needsInput": {"type": "boolean"},
            "question": {"type": ["string", "null"]},
        }
    )
    return _object({"suggestions": _array(atom)})


def rewrite_schema() -> JsonSchema:
    return _object({"rewrite": _STRING})


def apply_schema() -> JsonSchema:
    return _object({"items": _array(_STRING)})


def find_schema() -> JsonSchema:
    kinds = list(get_args(RequirementKind))
    requirement = _object({"text": _STRING, "kind": {"type": "string", "enum": kinds}})
    return _object({"requirements": _array(requirement)})


def _lowercase(value: object) -> object:
    """Models write "High" as often as "high"; the meaning is the same."""
    return value.lower() if isinstance(value, str) else value


_LOWERED = BeforeValidator(_lowercase)


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore", allow_inf_nan=False)


class FindingAnswer(_Answer):
    code: str = Field(min_length=1, max_length=100)
    message: str = Field(max_length=2000)
    fragment: str = Field(max_length=5000)


class CriterionAnswer(_Answer):
    criterion: str = Field(max_length=100)
    score: float
    feedback: str = Field(max_length=4000)
    findings: list[FindingAnswer] = Field(default_factory=list, max_length=50)


class SuggestionAnswer(_Answer):
    text: str = Field(min_length=1, max_length=4000)
    priority: Annotated[Priority, _LOWERED] = "medium"


class EvaluationAnswer(_Answer):
    results: list[CriterionAnswer] = Field(max_length=100)
    suggestions: list[SuggestionAnswer] = Field(default_factory=list, max_length=20)
    rewrite: str | None = Field(default=None, max_length=20_000)


class SuggestAnswer(_Answer):
    suggestions: list[SuggestionAtom] = Field(max_length=20)


class RewriteAnswer(_Answer):
    rewrite: str = Field(min_length=1, max_length=20_000)


class ApplyAnswer(_Answer):
    items: list[str] = Field(min_length=1, max_length=50)


class FoundAnswer(_Answer):
    text: str = Field(min_length=1, max_length=5000)
    kind: Annotated[RequirementKind, _LOWERED] = "functional"


class FindAnswer(_Answer):
    requirements: list[FoundAnswer] = Field(max_length=200)
