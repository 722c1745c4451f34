"""Request and response models of POST /api/v1/corrections/decision and /decision/batch.

A decision says that a person accepted or rejected one suggestion for one requirement. The
requirement (and the suggestion) may be sent as text, which is hashed on arrival and never
stored, or as the SHA-256 checksum the client computed itself; the rest are codes and ids.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from core.atoms import TEXT_MAX, FindingCode
from core.checksums import text_checksum
from core.contract.wire import RequirementText, WireModel

Checksum = Annotated[
    str, Field(pattern=r"^[0-9a-fA-F]{64}$", description="SHA-256 of the UTF-8 text, hex")
]
# An id the client gave the suggestion, never text: no spaces, 64 characters at most.
SuggestionToken = Annotated[str, Field(pattern=r"^[A-Za-z0-9._:/#-]{1,64}$")]
Decision = Literal["accepted", "rejected"]
DecisionVariant = Literal["v1", "v2"]


class DecisionCreate(WireModel):
    """One decision. Exactly one of requirementText and requirementChecksum; at most one of
    suggestion (the atom's `correction`, hashed) and suggestionChecksum."""

    requirement_text: RequirementText | None = Field(default=None, alias="requirementText")
    requirement_checksum: Checksum | None = Field(default=None, alias="requirementChecksum")
    suggestion: Annotated[str, Field(min_length=1, max_length=TEXT_MAX)] | None = None
    suggestion_checksum: Checksum | None = Field(default=None, alias="suggestionChecksum")
    suggestion_id: SuggestionToken | None = Field(default=None, alias="suggestionId")
    finding_code: FindingCode | None = Field(default=None, alias="findingCode")
    criterion: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    decision: Decision
    evaluation_id: str | None = Field(default=None, alias="evaluationId", max_length=36)
    variant: DecisionVariant | None = Field(
        default=None, description="the variant whose suggestion was decided (X-Variant)"
    )

    @model_validator(mode="after")
    def _one_of_each(self) -> DecisionCreate:
        if (self.requirement_text is None) == (self.requirement_checksum is None):
            raise ValueError("give exactly one of requirementText and requirementChecksum")
        if self.suggestion is not None and self.suggestion_checksum is not None:
            raise ValueError("give at most one of suggestion and suggestionChecksum")
        return self

    def requirement_sha256(self) -> str:
        """The requirement's checksum, lower-case hex, from whichever form was sent."""
        if self.requirement_text is not None:
            return text_checksum(self.requirement_text)
        return (self.requirement_checksum or "").lower()

    def suggestion_sha256(self) -> str | None:
        """The suggestion's checksum, if it was identified by text or checksum."""
        if self.suggestion is not None:
            return text_checksum(self.suggestion)
        return self.suggestion_checksum.lower() if self.suggestion_checksum else None


class DecisionBatchCreate(WireModel):
    # at least one (core.contract.bodies refuses an empty list, and more than MAX_BATCH_ITEMS)
    items: list[DecisionCreate] = Field(json_schema_extra={"minItems": 1})


class DecisionSavedPublic(WireModel):
    decision_id: str = Field(alias="decisionId")
    status: Literal["saved"] = "saved"


class DecisionsSavedPublic(WireModel):
    """One entry per item, in input order."""

    items: list[DecisionSavedPublic]
    count: int
