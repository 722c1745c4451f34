"""The SLO guard's shared state (gateway/guard.py): a lease that makes one worker of all
workers and replicas the one that decides, the windows every worker publishes for it to add
up, and the last decision, for every worker to show.

The lease is the one GuardLease row: its holder renews it on every tick; when it has expired
(its holder stopped or cannot reach the database) the next worker to publish takes it over.
Taking and renewing run in one write transaction with the worker's sample, under the lock
that write_scope takes (SQLite: BEGIN IMMEDIATE; PostgreSQL: the row's SELECT ... FOR
UPDATE), so two workers never hold it at once. Times are the workers' wall clocks (UTC):
replicas need clocks in step to well within a lease (NTP does it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core.store.db import write_scope
from core.store.models import GuardLease, GuardSample, as_utc

LEASE_ROW_ID = 1
SAMPLE_RETENTION_LEASES = 10  # samples older than this many leases are of workers long gone


@dataclass(frozen=True)
class Decision:
    """A rollback the guard took: when, by which worker, on which route, on what figures."""

    at: datetime
    action: str
    route: str
    figures: dict[str, object]
    holder: str
    epoch: int  # the flags' epoch the rollback wrote


@dataclass(frozen=True)
class LeaseState:
    holder: str | None = None
    expires_at: datetime | None = None
    decision: Decision | None = None


def _locked_lease(session: Session) -> GuardLease | None:
    return session.exec(
        select(GuardLease).where(GuardLease.id == LEASE_ROW_ID).with_for_update()
    ).first()


def publish(
    engine: Engine, *, worker: str, epoch: int, figures: str, now: datetime, lease_s: float
) -> bool:
    """Store this worker's window (JSON `figures`) and take or renew the lease if it is free,
    expired or this worker's; True when this worker holds it now."""
    try:
        with write_scope(engine) as session:
            lease = _locked_lease(session)
            sample = session.get(GuardSample, worker)
            if sample is None:
                sample = GuardSample(worker=worker, epoch=epoch, updated_at=now, figures=figures)
            sample.epoch, sample.updated_at, sample.figures = epoch, now, figures
            session.add(sample)
            if lease is not None and lease.holder != worker and as_utc(lease.expires_at) > now:
                return False
            lease = lease or GuardLease(id=LEASE_ROW_ID, holder=worker, expires_at=now)
            lease.holder, lease.expires_at = worker, now + timedelta(seconds=lease_s)
            session.add(lease)
            retention = timedelta(seconds=lease_s * SAMPLE_RETENTION_LEASES)
            session.execute(
                delete(GuardSample).where(col(GuardSample.updated_at) < now - retention)
            )
            return True
    except IntegrityError:  # PostgreSQL: another worker created the lease row first
        return False


def collect(engine: Engine, *, epoch: int, since: datetime) -> list[str]:
    """The windows (JSON) of every worker published since `since` for the flags of `epoch`."""
    with Session(engine) as session:
        return list(
            session.exec(
                select(GuardSample.figures).where(
                    GuardSample.epoch == epoch, col(GuardSample.updated_at) >= since
                )
            ).all()
        )


def record_decision(engine: Engine, decision: Decision) -> None:
    """Keep the decision on the lease row, where every worker reads it."""
    with write_scope(engine) as session:
        lease = _locked_lease(session) or GuardLease(
            id=LEASE_ROW_ID, holder=decision.holder, expires_at=decision.at
        )
        lease.decided_at, lease.decided_by, lease.action = (
            decision.at,
            decision.holder,
            decision.action,
        )
        lease.route, lease.decision_epoch = decision.route, decision.epoch
        lease.decision_figures = json.dumps(decision.figures)
        session.add(lease)


def read_lease(engine: Engine) -> LeaseState:
    """Who holds the lease until when, and the last decision (none before the first)."""
    with Session(engine) as session:
        lease = session.get(GuardLease, LEASE_ROW_ID)
        if lease is None:
            return LeaseState()
        decision = None
        if lease.decided_at is not None and lease.decision_epoch is not None:
            decision = Decision(
                at=as_utc(lease.decided_at),
                action=lease.action or "",
                route=lease.route or "",
                figures=json.loads(lease.decision_figures or "{}"),
                holder=lease.decided_by or "",
                epoch=lease.decision_epoch,
            )
        return LeaseState(lease.holder, as_utc(lease.expires_at), decision)


def withdraw(engine: Engine, *, worker: str, now: datetime) -> None:
    """A worker that stops: its window goes, and its lease ends now, so another takes over
    at its next tick instead of after the lease."""
    with write_scope(engine) as session:
        session.execute(delete(GuardSample).where(col(GuardSample.worker) == worker))
        lease = _locked_lease(session)
        if lease is not None and lease.holder == worker:
            lease.expires_at = now
            session.add(lease)
