"""Whether writes work right now, for /readyz: the last write's outcome plus a write probe.

A probe alone misses faults: a full disk fails only writes that need new space, which a
rolled-back probe never commits. So the store remembers a write that failed with a storage
fault (core.store.faults.record_write) and reports it for FAULT_MEMORY_S or until a write
succeeds; the probe (a write
transaction that inserts a small row and rolls back, BEGIN IMMEDIATE on SQLite) catches a
locked, read-only or unreachable database, and on SQLite the file system's free space a
full disk. The memory fades by itself so that a pod taken out of rotation, which gets no
writes, turns ready again once the probe passes.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from core.exceptions import Unavailable
from core.store.db import WRITE_OPTION
from core.store.faults import MESSAGES, RETRY_AFTER_S, recent_fault, storage_fault
from core.store.models import StoreProbe

MIN_FREE_BYTES = 1024 * 1024  # SQLite: less free space than this is a full disk
PROBE_PAYLOAD = bytes(8192)  # two pages: a probe that fits only in free slack proves little


def _probe(engine: Engine) -> None:
    with Session(engine) as session:
        session.connection(execution_options={WRITE_OPTION: True})
        session.execute(insert(StoreProbe).values(id=1, payload=PROBE_PAYLOAD))
        session.rollback()


def _free_bytes(engine: Engine) -> int | None:
    url = make_url(str(engine.url))
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return shutil.disk_usage(Path(url.database).resolve().parent).free


def check_writes(engine: Engine) -> None:
    """Raise Unavailable (naming the fault's kind) unless a write would succeed now."""
    if (kind := recent_fault(engine)) is not None:
        raise Unavailable(MESSAGES[kind], retry_after_s=RETRY_AFTER_S)
    free = _free_bytes(engine)
    if free is not None and free < MIN_FREE_BYTES:
        raise Unavailable(MESSAGES["full"], retry_after_s=RETRY_AFTER_S)
    try:
        _probe(engine)
    except SQLAlchemyError as exc:
        raise (storage_fault(exc) or exc) from exc
