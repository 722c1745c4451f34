"""Request and response models of the batch, suggestion and correction routes (DESIGN §6).

The other resource families of the contract; core.contract.evaluations holds the shared ones.
The suggestion atom (core.atoms) keeps the snake_case wire names DESIGN §6 gives it.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

# The one atom model lives in core.atoms (the engines need it too); re-exported for routes.
from core.atoms import SuggestionAtom
from core.atoms import SuggestionMetric as SuggestionMetric
from core.contract.evaluations import EvaluationContext, EvaluationPublic
from core.contract.wire import RequirementText, WireModel
from core.engines.results import EngineMeta, EngineName
from core.scoring import Verdict


class EngineUsed(WireModel):
    """Which engine produced a suggestion, rewrite or correction, and why not the LLM
    (`fallbackReason`) when it fell back: the same fields an evaluation carries."""

    engine: EngineName
    model: str
    prompt_version: str | None = Field(default=None, alias="promptVersion")
    fallback_reason: str | None = Field(default=None, alias="fallbackReason")

    @classmethod
    def fields_of(cls, meta: EngineMeta) -> dict[str, Any]:
        """The engine fields of a result, as keyword arguments of any subclass."""
        return {
            "engine": meta.engine,
            "model": meta.model,
            "prompt_version": meta.prompt_version,
            "fallback_reason": meta.fallback_reason,
        }


class AtomList(EngineUsed):
    suggestions: list[SuggestionAtom]


class ItemError(WireModel):
    """Why one item of a batch failed; the others are unaffected."""

    error: str
    message: str


class SuggestPublic(WireModel):
    items: dict[str, AtomList]
    errors: dict[str, ItemError] = {}


class ApplyCreate(WireModel):
    original_text: RequirementText = Field(alias="originalText")
    selected_suggestions: list[SuggestionAtom] = Field(
        alias="selectedSuggestions", min_length=1, max_length=50
    )
    mode: Literal["merge", "split"] = "merge"
    evaluation_id: str | None = Field(default=None, alias="evaluationId", max_length=36)
    context: EvaluationContext | None = None


class RewrittenItem(WireModel):
    rewritten_id: str = Field(alias="rewrittenId")
    redefined_requirement: str = Field(alias="redefinedRequirement")


class ApplyPublic(EngineUsed):
    evaluation_id: str = Field(alias="evaluationId")
    items: list[RewrittenItem]


class CorrectionTextCreate(WireModel):
    original_text: RequirementText = Field(alias="originalText")
    text: RequirementText
    evaluation_id: str | None = Field(default=None, alias="evaluationId", max_length=36)


class CorrectionSavedPublic(WireModel):
    evaluation_id: str = Field(alias="evaluationId")
    status: Literal["saved"] = "saved"


class DemoRequirement(WireModel):
    id: str
    requirement_text: str = Field(alias="requirementText")
    context: dict[str, Any]


class DemoRequirementsPublic(WireModel):
    items: list[DemoRequirement]


class MarkdownCreate(WireModel):
    """The JSON body of the batch routes; without `markdown` the file at
    REQUIREMENTS_MD_PATH is read."""

    markdown: Annotated[str, Field(json_schema_extra={"pattern": r"\S"})] | None = None
    criteria_keys: list[str] | None = Field(default=None, alias="criteriaKeys", max_length=100)


class DuplicatePair(WireModel):
    """Two requirements of one batch that say nearly the same (similarity 0..1)."""

    a: str
    b: str
    similarity: float


class BatchItemPublic(WireModel):
    """One row's result. `engine`... describe the suggestions and rewrite (absent for
    batch/evaluate): the LLM only when every call for them was answered by it."""

    line: int
    evaluation: EvaluationPublic
    suggestions: list[SuggestionAtom] | None = None
    redefined_requirement: str | None = Field(default=None, alias="redefinedRequirement")
    engine: EngineName | None = None
    model: str | None = None
    prompt_version: str | None = Field(default=None, alias="promptVersion")
    fallback_reason: str | None = Field(default=None, alias="fallbackReason")


class BatchPublic(WireModel):
    items: dict[str, BatchItemPublic]
    errors: dict[str, ItemError]
    merged_markdown: str = Field(alias="mergedMarkdown")
    near_duplicates: list[DuplicatePair] = Field(alias="nearDuplicates")


class RefineCreate(WireModel):
    requirement_text: RequirementText = Field(alias="requirementText")
    context: EvaluationContext | None = None
    criteria_keys: list[str] | None = Field(default=None, alias="criteriaKeys", max_length=100)
    max_iterations: int = Field(default=3, alias="maxIterations", ge=1, le=10)


RefineStop = Literal["passed", "max_iterations", "no_change", "placeholders", "needs_input"]


class RefineIteration(WireModel):
    """One round: `verdict` is the evaluation's; `placeholders` counts the gaps (TBD,
    "[measurable bound]"...) still in the text, which keep the refinement from passing."""

    iteration: int
    text: str
    evaluation_id: str = Field(alias="evaluationId")
    score: float
    verdict: Verdict
    applied: int
    placeholders: int = 0


class RefinePublic(WireModel):
    """`verdict` is the last evaluation's, except that a text with placeholders never passes."""

    final_text: str = Field(alias="finalText")
    score: float
    verdict: Verdict
    stop_reason: RefineStop = Field(alias="stopReason")
    iterations: list[RefineIteration]
    # needs_input: the questions a person must answer (the atoms' `question`) to go on.
    questions: list[str] = []
