"""Run-time routing flags: the one FlagState row and its audit trail (DESIGN §4).

Every change goes through `change_flags`, which bumps the epoch and writes the audit row in
the same transaction, so the audit can never miss a change and two writers never hand out
the same epoch (SQLite: BEGIN IMMEDIATE; PostgreSQL: SELECT ... FOR UPDATE).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Literal

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core.settings import Settings
from core.store.db import write_scope
from core.store.models import FlagAudit, FlagState, as_utc, utcnow

FlagSource = Literal["env", "api", "guard"]
FLAG_ROW_ID = 1


@dataclass(frozen=True)
class Flags:
    """The routing flags as the gateway reads them."""

    use_v2: bool = False
    canary_percent: int = 0
    shadow_percent: int = 0
    epoch: int = 0
    source: str = "env"
    updated_at: datetime | None = None

    def values(self) -> dict[str, object]:
        """The three operator-facing values, in the audit's and the API's camelCase."""
        return {
            "featureFlagUseV2": self.use_v2,
            "canaryPercent": self.canary_percent,
            "shadowPercent": self.shadow_percent,
        }


@dataclass(frozen=True)
class FlagChange:
    """A requested change; None leaves a value as it is."""

    use_v2: bool | None = None
    canary_percent: int | None = None
    shadow_percent: int | None = None


ROLLBACK = FlagChange(use_v2=False, canary_percent=0, shadow_percent=0)


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    reason: str
    source: str
    old: dict[str, object]
    new: dict[str, object]
    epoch: int


def _to_flags(row: FlagState) -> Flags:
    return Flags(
        row.use_v2, row.canary_percent, row.shadow_percent, row.epoch, row.source, row.updated_at
    )


def read_flags(engine: Engine) -> Flags | None:
    """The stored flags, or None before the first start-up wrote them."""
    with Session(engine) as session:
        row = session.get(FlagState, FLAG_ROW_ID)
        return _to_flags(row) if row else None


def _apply(flags: Flags, change: FlagChange) -> Flags:
    return replace(
        flags,
        use_v2=flags.use_v2 if change.use_v2 is None else change.use_v2,
        canary_percent=(
            flags.canary_percent if change.canary_percent is None else change.canary_percent
        ),
        shadow_percent=(
            flags.shadow_percent if change.shadow_percent is None else change.shadow_percent
        ),
    )


def change_flags(
    engine: Engine, change: FlagChange, *, actor: str, reason: str, source: FlagSource
) -> tuple[Flags, bool]:
    """Apply a change; returns the new flags and whether anything changed (and was audited)."""
    with write_scope(engine) as session:
        row = session.exec(
            select(FlagState).where(FlagState.id == FLAG_ROW_ID).with_for_update()
        ).first()
        old = _to_flags(row) if row else Flags()
        new = _apply(old, change)
        if row is not None and new.values() == old.values():
            return old, False
        row = row or FlagState(id=FLAG_ROW_ID)
        row.use_v2, row.canary_percent, row.shadow_percent = (
            new.use_v2,
            new.canary_percent,
            new.shadow_percent,
        )
        row.epoch, row.source, row.updated_at = old.epoch + 1, source, utcnow()
        session.add(row)
        session.add(
            FlagAudit(
                actor=actor[:100],
                reason=reason[:500],
                source=source,
                epoch=row.epoch,
                old_state=json.dumps(old.values()),
                new_state=json.dumps(new.values()),
            )
        )
        session.flush()
        return _to_flags(row), True


def list_audit(engine: Engine, *, limit: int = 100) -> list[AuditEntry]:
    """The latest audit entries, newest first."""
    with Session(engine) as session:
        rows = session.exec(
            select(FlagAudit)
            .order_by(col(FlagAudit.epoch).desc(), col(FlagAudit.at).desc())
            .limit(limit)
        ).all()
        return [
            AuditEntry(
                r.at,
                r.actor,
                r.reason,
                r.source,
                json.loads(r.old_state),
                json.loads(r.new_state),
                r.epoch,
            )
            for r in rows
        ]


def _last_env_values(engine: Engine) -> dict[str, object] | None:
    with Session(engine) as session:
        row = session.exec(
            select(FlagAudit)
            .where(FlagAudit.source == "env")
            .order_by(col(FlagAudit.epoch).desc(), col(FlagAudit.at).desc())
            .limit(1)
        ).first()
        return json.loads(row.new_state) if row else None


def env_flags(settings: Settings) -> Flags:
    return Flags(settings.feature_flag_use_v2, settings.canary_percent, settings.shadow_percent)


def sync_env_flags(engine: Engine, settings: Settings) -> Flags:
    """Apply the env's flags at start-up when they changed since the last deploy.

    Env wins only when it differs from what env said last time (recorded in the audit):
    a worker restarting with the same env must not undo an operator's ramp or rollback.
    """
    wanted = env_flags(settings)
    if _last_env_values(engine) == wanted.values() and read_flags(engine) is not None:
        return read_flags(engine) or wanted
    change = FlagChange(wanted.use_v2, wanted.canary_percent, wanted.shadow_percent)
    try:
        flags, changed = change_flags(
            engine, change, actor="startup", reason="environment changed", source="env"
        )
    except IntegrityError:  # another process created the row first; its values are ours
        return read_flags(engine) or wanted
    if not changed:  # the state already matched: record the env once so later starts agree
        _record_env(engine, flags)
    return flags


def _record_env(engine: Engine, flags: Flags) -> None:
    with write_scope(engine) as session:
        session.add(
            FlagAudit(
                actor="startup",
                reason="environment matches stored flags",
                source="env",
                epoch=flags.epoch,
                old_state=json.dumps(flags.values()),
                new_state=json.dumps(flags.values()),
            )
        )


def audit_dict(entry: AuditEntry) -> dict[str, object]:
    """An audit entry for the API."""
    return {**asdict(entry), "at": as_utc(entry.at).isoformat()}
