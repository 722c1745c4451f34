"""Request and response models of POST /api/v1/mining/extract and /conflicts (v2 only)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from core.contract.batch import EngineUsed
from core.contract.evaluations import CriterionVerdict
from core.contract.wire import RequirementText, WireModel
from core.scoring import Verdict


class MiningOptions(WireModel):
    """How to mine: in the JSON body, or as form fields next to uploaded files."""

    language: Literal["de", "en"] | None = None
    evaluate: bool = False
    llm: bool = Field(
        default=False,
        description="also ask the LLM engine, when configured, for requirements the rules missed",
    )


class MiningCreate(MiningOptions):
    """A document to mine; core.contract.bodies bounds `text` by MAX_MINING_CHARS."""

    text: str = Field(json_schema_extra={"minLength": 1, "pattern": r"\S"})
    source: str = Field(default="document", min_length=1, max_length=200)


class MinedEvaluation(WireModel):
    """A candidate judged as validate/batch judges an item (checksums stored, never text)."""

    status: Literal["accepted", "rejected"]
    score: float
    verdict: Verdict
    corrected_text: str = Field(alias="correctedText")
    evaluation: list[CriterionVerdict]


class MinedCandidate(WireModel):
    id: str
    text: str
    source: str
    line: int = Field(description="1-based line of the source where the sentence starts")
    kind: Literal["functional", "quality", "constraint"]
    language: Literal["de", "en"]
    modal: str | None = Field(
        default=None,
        description="the modal verb as written, e.g. muss, shall, MUSS, darf nicht; absent"
        " for an LLM candidate without one",
    )
    origin: Literal["rules", "llm"] = Field(
        description="rules: core.mining's rules found it; llm: the LLM pass added it"
    )
    evaluation: MinedEvaluation | None = None


class MiningPublic(EngineUsed):
    """The candidates; `engine` says whether the LLM pass ran (llm) or not (heuristic), and
    `fallbackReason` why not when it was asked for and failed."""

    items: list[MinedCandidate]
    markdown: str = Field(
        description="the candidates as a requirements table, for POST /api/v1/batch/evaluate"
    )


class ConflictsCreate(WireModel):
    """Requirements to compare (`items`, or a bare JSON list), or the name of an ingested
    source to mine and compare; core.contract.bodies bounds both."""

    items: list[RequirementText] | None = Field(default=None, json_schema_extra={"minItems": 1})
    source: str | None = Field(default=None, min_length=1, max_length=255)
    language: Literal["de", "en"] | None = None


class ConflictPair(WireModel):
    """Two requirements by index (a < b) and how they relate; never their text."""

    a: int = Field(description="0-based index in `items`, or in `requirements` for a source")
    b: int
    kind: Literal["duplicate", "conflict"]
    reason: str = Field(description="why, without the requirements' words")
    similarity: float = Field(description="trigram similarity of the two texts, 0..1")


class MinedReference(WireModel):
    """A requirement mined from the source, by id and line (its text is the source's)."""

    id: str
    line: int


class ConflictsPublic(WireModel):
    count: int = Field(description="requirements compared")
    pairs: list[ConflictPair]
    source: str | None = None
    requirements: list[MinedReference] | None = Field(
        default=None, description="for a source: the requirements mined from it, in order"
    )
