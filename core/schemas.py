"""Request and response models of the shared routes (DESIGN §6), used by v1 and v2 alike.

Field aliases are the wire names (camelCase); Python code uses snake_case. Limits that
depend on settings (text length, batch size) are checked in core.payloads, not here.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from core.atoms import SuggestionAtom
from core.engines.base import Language, Priority
from core.engines.severity import Severity
from core.scoring import Verdict


class WireModel(BaseModel):
    """camelCase on the wire, snake_case in code; unknown request fields are ignored."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")


class ErrorPublic(WireModel):
    """The one error body of every route on v1, v2 and the gateway (DESIGN §6)."""

    error: str = Field(description="stable code, e.g. invalid_request or payload_too_large")
    message: str
    details: object | None = None
    request_id: str = Field(alias="requestId")


class EvaluationContext(WireModel):
    """Optional facts about a requirement; only `language` is interpreted today."""

    model_config = ConfigDict(extra="allow")

    language: Language | None = None


class EvaluationCreate(WireModel):
    requirement_text: str = Field(alias="requirementText")
    context: EvaluationContext | None = None
    criteria_keys: list[str] | None = Field(default=None, alias="criteriaKeys", max_length=100)


class BatchValidateCreate(WireModel):
    items: list[str]
    include_suggestions: bool = Field(default=False, alias="includeSuggestions")


class CriterionPublic(WireModel):
    key: str
    name: str
    description: str
    weight: float
    active: bool


class CriteriaPublic(WireModel):
    items: list[CriterionPublic]


class FindingPublic(WireModel):
    code: str
    message: str
    start: int
    end: int
    fragment: str
    severity: Severity = "minor"


class CriterionDetail(WireModel):
    criterion: str
    score: float
    passed: bool
    feedback: str
    findings: list[FindingPublic]


class SuggestionPublic(WireModel):
    text: str
    priority: Priority


class EvaluationPublic(WireModel):
    evaluation_id: str = Field(alias="evaluationId")
    verdict: Verdict
    score: float
    latency_ms: int = Field(alias="latencyMs")
    model: str
    engine: Literal["heuristic", "llm"]
    language: Language
    fallback_reason: str | None = Field(default=None, alias="fallbackReason")
    prompt_version: str | None = Field(default=None, alias="promptVersion")
    details: list[CriterionDetail]
    suggestions: list[SuggestionPublic]


class CriterionVerdict(WireModel):
    criterion: str
    is_valid: bool = Field(alias="isValid")
    reason: str


class ValidatedRequirement(WireModel):
    id: str
    original_text: str = Field(alias="originalText")
    corrected_text: str = Field(alias="correctedText")
    status: Literal["accepted", "rejected"]
    evaluation: list[CriterionVerdict]
    score: float
    verdict: Verdict
    # With includeSuggestions: atoms, exactly the validate/suggest shape (DESIGN §6).
    suggestions: list[SuggestionAtom] | None = None


def to_wire(model: BaseModel) -> dict[str, object]:
    """The JSON-ready dict both variants send: aliases, no None-valued optional fields."""
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)
