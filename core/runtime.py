"""Opening the process's shared resources for an app (v1, v2 or the gateway)."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from core.settings import Settings
from core.store.criteria import sync_criteria
from core.store.db import create_tables, get_engine


def open_store(settings: Settings) -> Engine:
    """The database engine for these settings, with tables created and criteria in sync."""
    engine = get_engine(settings.sqlalchemy_url, lock_timeout_s=settings.db_lock_timeout_s)
    create_tables(engine)
    sync_criteria(engine)
    return engine
