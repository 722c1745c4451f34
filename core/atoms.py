"""The suggestion atom (DESIGN §6): the unit of suggest and apply, shared by engines and routes.

The one definition: core.contract.batch re-exports it for the routes. It lives apart from
core.contract (which imports core.engines) so the engines can use it without an import cycle.

Metric values are finite numbers. A numeric string ("99.9") is accepted and becomes the
number, because clients of the original API sent values as strings; any other string is
refused, since a metric is a bound a test can check.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

MetricOp = Literal["<", "<=", "=", ">=", ">", "!="]
# Long enough for a complete rewrite of the longest requirement the LLM may return.
TEXT_MAX = 20_000
Text = Annotated[str, Field(max_length=TEXT_MAX)]
CriterionKey = Annotated[str, Field(min_length=1, max_length=100)]
# What the engines emit (core.engines.llm normalises an LLM's codes to it).
FindingCode = Annotated[str, Field(pattern=r"^[a-z0-9_]{1,64}$")]


class SuggestionMetric(BaseModel):
    """A measurable bound a correction introduces, e.g. response_time <= 2 s."""

    model_config = ConfigDict(extra="ignore", allow_inf_nan=False)

    name: str = Field(min_length=1, max_length=200)
    op: MetricOp
    value: int | float
    unit: str | None = Field(default=None, max_length=50)

    @field_validator("value", mode="before")
    @classmethod
    def _not_bool(cls, value: object) -> object:
        """JSON true is not 1: a boolean where a bound belongs is a client error."""
        if isinstance(value, bool):
            raise ValueError("value must be a number")
        return value


class SuggestionAtom(BaseModel):
    """One selectable correction of a requirement (DESIGN §6), the unit of suggest and apply.

    `original_fragment` is the exact span of the requirement the atom changes ("" for advice
    that changes nothing, the whole text for a complete rewrite); `correction` is its
    replacement. `criteria` maps each criterion the atom addresses to whether applying it
    satisfies that criterion (false: it helps, but a person still has to finish the fix).
    `needsInput` (with the `question` to answer) marks a correction that carries a
    placeholder only a person can fill. `findingCode` names the finding the atom fixes, where
    the engine knows it (the heuristic engine's atoms: one per finding), so a client can
    record its decision on the atom per code (corrections/decision). Wire names are
    snake_case, as in the original API, except the later `needsInput` and `findingCode`:
    both optional, left out when unset, and fields a client of the original API never read.
    """

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    correction: Text
    acceptance_criteria: list[Annotated[str, Field(max_length=2000)]] = Field(
        default_factory=list, max_length=50
    )
    metrics: list[SuggestionMetric] = Field(default_factory=list, max_length=50)
    criteria: dict[CriterionKey, bool] = Field(default_factory=dict, max_length=100)
    notes: Text = ""
    original_fragment: Text = ""
    needs_input: bool | None = Field(default=None, alias="needsInput")
    question: str | None = Field(default=None, max_length=2000)
    finding_code: FindingCode | None = Field(default=None, alias="findingCode")
