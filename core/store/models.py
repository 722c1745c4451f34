"""Every table of reqgate, in one place.

Privacy rule (DESIGN §5): no column holds requirement text, rewrites, suggestions or
feedback. Texts are represented by their SHA-256 checksum; everything else is ids,
numbers, codes and timestamps.

Ids are random (new_id) except those of evaluation records written for a request: these
derive from the request id, the route, the item and its checksum (core.idempotency), so
that a request executed twice stores one set of rows. A derived id is a UUID5 of
checksums and client-chosen tokens: it reveals no text either.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, DateTime
from sqlmodel import Field, SQLModel


def new_id() -> str:
    """Collision-free row id (random UUID4), never derived from time or content; records
    written for a request use core.idempotency's derived ids instead (see above)."""
    return str(uuid.uuid4())


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """The stored time as an aware UTC datetime (SQLite hands timestamps back naive)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _timestamp() -> Any:  # Any as sqlmodel.Field's own: it stands in for the column's datetime
    return Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), index=True))


class Criterion(SQLModel, table=True):
    """A quality criterion, seeded and kept in sync from core/criteria.json."""

    key: str = Field(primary_key=True, max_length=64)
    name_en: str = Field(max_length=200)
    name_de: str = Field(max_length=200)
    description_en: str = Field(max_length=2000)
    description_de: str = Field(max_length=2000)
    weight: float = 1.0
    active: bool = True
    position: int = 0


class Evaluation(SQLModel, table=True):
    """One evaluated requirement: its checksum and the outcome, never the text."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    checksum: str = Field(index=True, max_length=64)
    language: str = Field(max_length=2)
    score: float
    verdict: str = Field(max_length=8)
    engine: str = Field(max_length=16)
    model: str = Field(max_length=200)
    variant: str = Field(max_length=8)
    latency_ms: int
    fallback_reason: str | None = Field(default=None, max_length=64)
    created_at: datetime = _timestamp()


class EvaluationDetail(SQLModel, table=True):
    """The outcome of one criterion of one evaluation, with the finding codes only."""

    __tablename__ = "evaluation_detail"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    evaluation_id: str = Field(foreign_key="evaluation.id", index=True, ondelete="CASCADE")
    criterion: str = Field(max_length=64)
    score: float
    passed: bool
    finding_codes: str = Field(default="", max_length=2000)


class SuggestionRecord(SQLModel, table=True):
    """A suggestion made for an evaluation, as a checksum of its text."""

    __tablename__ = "suggestion_record"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    evaluation_id: str = Field(foreign_key="evaluation.id", index=True, ondelete="CASCADE")
    checksum: str = Field(max_length=64)
    priority: str = Field(max_length=8)
    created_at: datetime = _timestamp()


class RewriteRecord(SQLModel, table=True):
    """A rewrite or correction of a requirement: checksums of the original and the new text."""

    __tablename__ = "rewrite_record"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    evaluation_id: str | None = Field(
        default=None, foreign_key="evaluation.id", index=True, ondelete="CASCADE"
    )
    original_checksum: str = Field(max_length=64)
    rewritten_checksum: str = Field(max_length=64)
    source: str = Field(max_length=16)  # engine | apply | manual
    created_at: datetime = _timestamp()


class SuggestionDecision(SQLModel, table=True):
    """A person accepted or rejected a suggestion: checksums, codes and the decision only.

    `variant` is the variant whose suggestion was decided (the client's word, else the
    linked evaluation's, else the one that served the decision), so reports can compare
    how often each variant's suggestions are taken.
    """

    __tablename__ = "suggestion_decision"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    evaluation_id: str | None = Field(
        default=None, foreign_key="evaluation.id", index=True, ondelete="CASCADE"
    )
    requirement_checksum: str = Field(index=True, max_length=64)
    suggestion_checksum: str | None = Field(default=None, max_length=64)
    suggestion_id: str | None = Field(default=None, max_length=64)  # the client's token
    finding_code: str | None = Field(default=None, max_length=64)
    criterion: str | None = Field(default=None, max_length=64)
    decision: str = Field(max_length=8)  # accepted | rejected
    variant: str = Field(max_length=8)
    created_at: datetime = _timestamp()


class FlagState(SQLModel, table=True):
    """The one row of run-time routing flags; `epoch` grows on every change."""

    __tablename__ = "flag_state"

    id: int = Field(default=1, primary_key=True)
    use_v2: bool = False
    canary_percent: int = 0
    shadow_percent: int = 0
    epoch: int = 0
    source: str = Field(default="env", max_length=8)  # env | api | guard
    updated_at: datetime = _timestamp()


class FlagAudit(SQLModel, table=True):
    """Who changed the flags, when, why, and from what to what."""

    __tablename__ = "flag_audit"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    at: datetime = _timestamp()
    actor: str = Field(max_length=100)
    reason: str = Field(default="", max_length=500)
    source: str = Field(max_length=8)
    old_state: str = Field(max_length=500)  # JSON
    new_state: str = Field(max_length=500)  # JSON
    epoch: int


class GuardLease(SQLModel, table=True):
    """The one row of the SLO guard (gateway/guard.py): which worker decides, until when, and
    the last decision it took, for every worker to show.

    `decision_figures` holds counts, rates, latencies and thresholds of one route: no request
    data.
    """

    __tablename__ = "guard_lease"

    id: int = Field(default=1, primary_key=True)
    holder: str = Field(max_length=100)
    expires_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    decided_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    decided_by: str | None = Field(default=None, max_length=100)
    action: str | None = Field(default=None, max_length=16)  # rollback
    route: str | None = Field(default=None, max_length=200)
    decision_figures: str | None = Field(default=None, max_length=2000)  # JSON
    decision_epoch: int | None = None  # the flags' epoch the decision wrote


class GuardSample(SQLModel, table=True):
    """One worker's guard window (requests, errors, latency histogram per shared route and
    variant) as of `updated_at`, for the lease holder to add up; counts only."""

    __tablename__ = "guard_sample"

    worker: str = Field(primary_key=True, max_length=100)
    epoch: int
    updated_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    figures: str  # JSON


class StoreProbe(SQLModel, table=True):
    """Always empty: /readyz inserts a row and rolls it back to prove writes work."""

    __tablename__ = "store_probe"

    id: int = Field(primary_key=True)
    payload: bytes
