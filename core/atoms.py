"""The suggestion atom (DESIGN §6): the unit of suggest and apply, shared by engines and routes.

Kept apart from core.schemas, which imports core.engines, so that the engines can use it
without an import cycle; core.schemas re-exports it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

MetricOp = Literal["<", "<=", "=", ">=", ">"]


class SuggestionMetric(BaseModel):
    """A measurable bound a correction introduces, e.g. response_time <= 2 s."""

    model_config = ConfigDict(extra="ignore", allow_inf_nan=False)

    name: str = Field(min_length=1, max_length=200)
    op: MetricOp
    value: float
    unit: str | None = Field(default=None, max_length=50)


class SuggestionAtom(BaseModel):
    """One selectable correction of a requirement (DESIGN §6), the unit of suggest and apply.

    `original_fragment` is the exact span of the requirement the atom changes ("" or the
    whole text for a complete rewrite); `correction` is its replacement; `criteria` says
    which criteria the correction is meant to satisfy. Wire names are snake_case, as in
    the original API.
    """

    model_config = ConfigDict(extra="ignore")

    correction: str = Field(max_length=10_000)
    acceptance_criteria: list[str] = Field(default_factory=list, max_length=50)
    metrics: list[SuggestionMetric] = Field(default_factory=list, max_length=50)
    criteria: dict[str, bool] = Field(default_factory=dict)
    notes: str = Field(default="", max_length=10_000)
    original_fragment: str = Field(default="", max_length=10_000)
