"""Opening the process's shared resources for an app (v1, v2 or the gateway)."""

from __future__ import annotations

import gc

from sqlalchemy.engine import Engine

from core.settings import Settings
from core.store.criteria import sync_criteria
from core.store.db import create_tables, get_engine
from core.store.writer import WriterOptions, configure_writer


def open_store(settings: Settings) -> Engine:
    """The database engine for these settings, with tables created, criteria in sync and
    its group writer set up (core.store.writer)."""
    engine = get_engine(
        settings.sqlalchemy_url,
        lock_timeout_s=settings.db_lock_timeout_s,
        sqlite_synchronous=settings.sqlite_synchronous,
    )
    create_tables(engine)
    sync_criteria(engine)
    configure_writer(
        engine,
        WriterOptions(
            max_wait_s=settings.db_group_commit_wait_ms / 1000,
            max_queue=settings.db_write_queue,
            queue_timeout_s=settings.db_lock_timeout_s,
        ),
    )
    return engine


def freeze_startup_heap() -> None:
    """Move every object alive now out of the garbage collector's generations (gc.freeze).

    Why: a server's start-up builds ~280,000 objects that live as long as the process
    (modules, pydantic and SQLAlchemy models, the apps). A full collection, which CPython
    starts by itself once enough objects have survived younger ones, scanned them all: one
    pause of 330 ms inside whatever request was running, the p99 of v2 (docs/benchmarks.md,
    "Collector pauses"). Frozen, they are still freed by reference counting; only a cycle
    among them is never collected, and start-up objects are not garbage. Server entry points
    only: a test process builds and drops many apps, and cycles among them must be collected.
    """
    gc.collect()
    gc.freeze()
