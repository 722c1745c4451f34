"""Opening the process's shared resources for an app (v1, v2 or the gateway)."""

from __future__ import annotations

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
