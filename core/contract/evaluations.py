"""Request and response models of criteria, evaluations and validate/batch (DESIGN §6).

Field aliases are the wire names (camelCase); Python code uses snake_case. Limits that
depend on settings (text length, batch size) are checked in core.contract.bodies.
"""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, field_validator

from core.atoms import SuggestionAtom
from core.contract.wire import RequirementText, WireModel
from core.engines.base import Language, Priority
from core.engines.severity import Severity
from core.glossary import (
    MAX_DEFINITION_CHARS,
    MAX_REQUEST_ENTRIES,
    MAX_TERM_CHARS,
    Glossary,
    GlossaryKind,
    GlossaryTerm,
    check_term,
    first_clash,
)
from core.scoring import Verdict


class GlossaryEntry(WireModel):
    """A project term (core.glossary): defined by the project, or one of its weak words."""

    term: str = Field(min_length=1, max_length=MAX_TERM_CHARS)
    kind: GlossaryKind = "defined"
    definition: str = Field(default="", max_length=MAX_DEFINITION_CHARS)
    language: Language | None = None

    @field_validator("term")
    @classmethod
    def _matchable(cls, value: str) -> str:
        return check_term(value)

    @field_validator("language", mode="before")
    @classmethod
    def _empty_means_both(cls, value: object) -> object:
        return None if value == "" else value

    def to_term(self) -> GlossaryTerm:
        return GlossaryTerm(self.term, self.kind, self.definition.strip(), self.language)


class EvaluationContext(WireModel):
    """Optional facts about a requirement: its language and the project's glossary."""

    model_config = ConfigDict(extra="allow")

    language: Language | None = None
    glossary: list[GlossaryEntry] | None = Field(default=None, max_length=MAX_REQUEST_ENTRIES)

    @field_validator("glossary")
    @classmethod
    def _one_entry_per_term(cls, value: list[GlossaryEntry] | None) -> list[GlossaryEntry] | None:
        clash = first_clash(entry.to_term() for entry in value or [])
        if clash is not None:
            raise ValueError(f"entries {clash[0]} and {clash[1]} name the same term")
        return value


def glossary_of(context: EvaluationContext | None) -> Glossary | None:
    """The request's glossary entries as a Glossary; None when it has none."""
    if context is None or not context.glossary:
        return None
    return Glossary(tuple(entry.to_term() for entry in context.glossary))


class EvaluationCreate(WireModel):
    requirement_text: RequirementText = Field(alias="requirementText")
    context: EvaluationContext | None = None
    criteria_keys: list[str] | None = Field(default=None, alias="criteriaKeys", max_length=100)


class BatchValidateCreate(WireModel):
    # at least one (core.contract.bodies refuses an empty list, and more than MAX_BATCH_ITEMS)
    items: list[RequirementText] = Field(json_schema_extra={"minItems": 1})
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
    # Batch items list only the first findings of a criterion (core.table_answer); this
    # many more were found. Absent when none were left out.
    findings_omitted: int | None = Field(default=None, alias="findingsOmitted")


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
