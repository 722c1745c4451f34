"""The criteria catalogue's database copy: sync from core/criteria.json, cached snapshot.

`sync_criteria` brings the table in line with the JSON at start-up (new keys added,
changed fields updated, removed keys deactivated), so editing the JSON and restarting is
how the catalogue changes: nothing else writes the table. `list_criteria` is what the API
and every evaluation read: a snapshot per database, kept SNAPSHOT_TTL_S. A process that
syncs drops its own snapshot at once; the others see a catalogue changed by a process that
started later on the same database (a deploy rolling over) within SNAPSHOT_TTL_S.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from cachetools import TTLCache, cached
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.catalogue import CATALOGUE_PATH, CatalogueEntry, CriterionInfo, load_entries
from core.store.db import write_scope
from core.store.models import Criterion

SNAPSHOT_TTL_S = 5.0
# database URL -> active criteria per language, read at most every SNAPSHOT_TTL_S
_snapshots: TTLCache[str, dict[str, list[CriterionInfo]]] = TTLCache(maxsize=16, ttl=SNAPSHOT_TTL_S)
_snapshots_lock = threading.Lock()


def load_catalogue(path: Path = CATALOGUE_PATH) -> list[Criterion]:
    """The JSON catalogue as (unsaved) Criterion rows, in file order."""
    return [Criterion(**asdict(entry)) for entry in load_entries(path)]


def sync_criteria(engine: Engine, catalogue: Sequence[Criterion] | None = None) -> None:
    """Make the criterion table match the catalogue; keys no longer listed are deactivated."""
    wanted = {row.key: row for row in (catalogue or load_catalogue())}
    with write_scope(engine) as session:
        for existing in session.exec(select(Criterion)).all():
            fresh = wanted.pop(existing.key, None)
            if fresh is None:
                existing.active = False
                continue
            for field in Criterion.model_fields:
                setattr(existing, field, getattr(fresh, field))
        session.add_all(wanted.values())
    with _snapshots_lock:
        _snapshots.pop(str(engine.url), None)


def _database(engine: Engine) -> str:
    return str(engine.url)


@cached(_snapshots, key=_database, lock=_snapshots_lock)
def _read_active(engine: Engine) -> dict[str, list[CriterionInfo]]:
    # a session of its own: the caller's session and its transaction are never touched
    with Session(engine) as session:
        rows = session.exec(
            select(Criterion).where(Criterion.active == True).order_by(col(Criterion.position))  # noqa: E712
        ).all()
        entries = [CatalogueEntry(**row.model_dump()) for row in rows]
    return {language: [entry.info(language) for entry in entries] for language in ("en", "de")}


def list_criteria(engine: Engine, *, language: str = "en") -> list[CriterionInfo]:
    """The active criteria in catalogue order, named in the given language.

    From the snapshot while it is fresh (no database round trip, no session): read from
    the database at most every SNAPSHOT_TTL_S per database, since the catalogue changes
    only when a process starts.
    """
    return list(_read_active(engine)["de" if language == "de" else "en"])
