"""Fixtures: settings on a fresh database per test, the apps, and the four contract targets."""

from __future__ import annotations

import functools
import gc
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.engine import Engine

import app_v1
from core.engines.llm_client import reset_breakers
from core.settings import Settings, load_settings
from gateway.middleware.request_context import ACCESS_LINE
from tests.utils.database import empty_postgres, postgres_tables_url, sqlite_database
from tests.utils.server import running_gateway
from tests.utils.targets import TARGET_NAMES, Target, build_target

pytest_plugins = ["tests.utils.engines"]  # the fake_engine fixture

SettingsFactory = Callable[..., Settings]
TMPFS = Path("/dev/shm")
TMPFS_MIN_FREE = 2 * 2**30


def pytest_configure(config: pytest.Config) -> None:
    """Put tmp_path (every test's SQLite files, Qdrant and gateway data dirs) on tmpfs where
    the machine has one: SQLite syncs each new database and every WAL checkpoint, and on a
    shared disk those syncs, not the tests, set the pace (the contract suite ran 1.4-2.7
    times as long on disk here). Nothing a test checks depends on the data surviving a power
    cut. PYTEST_DEBUG_TEMPROOT (pytest's own setting) or --basetemp chooses otherwise."""
    if "PYTEST_DEBUG_TEMPROOT" in os.environ or config.option.basetemp:
        return
    if TMPFS.is_dir() and os.access(TMPFS, os.W_OK):
        if shutil.disk_usage(TMPFS).free >= TMPFS_MIN_FREE:
            os.environ["PYTEST_DEBUG_TEMPROOT"] = str(TMPFS)


def isolated_settings(directory: Path, **overrides: Any) -> Settings:
    """Settings isolated from the developer's .env, on a SQLite file in `directory`."""
    values: dict[str, Any] = {
        "_env_file": None,
        "sqlite_path": directory / "reqgate.db",
        "qdrant_path": Path(":memory:"),  # an on-disk knowledge base only where asked for
        "requirements_md_path": Path(__file__).parents[1] / "docs" / "requirements.md",
    }
    values.update(overrides)
    return load_settings(**values)


@pytest.fixture(autouse=True)
def _closed_circuits() -> Iterator[None]:
    """The circuit breakers are per server and process: no test inherits another's failures."""
    reset_breakers()
    yield
    reset_breakers()


@pytest.fixture(autouse=True)
def _no_access_lines_noted() -> None:
    """The gateway's access lines wait up to LINES_WAIT_S to be written (core.logging.LogLine):
    a test that reads its log sees none of an earlier test's, and flushes its own."""
    ACCESS_LINE.flush()


def pytest_collection_finish(session: pytest.Session) -> None:
    """Freeze what collection imported (~360,000 objects: the apps' modules, pydantic and
    SQLAlchemy models, hypothesis): it lives to the end anyway, and each full collection
    would scan it again. Measured on 1,835 tests: full collections 12.7 -> 7.8 s, the
    longest pause 524 -> 242 ms (a pause inside a timed request is what latency bounds feel)."""
    gc.collect()
    gc.freeze()


@pytest.fixture
def make_settings(tmp_path: Path) -> SettingsFactory:
    """isolated_settings in tmp_path; module-scoped fixtures call it on their own dir."""
    return functools.partial(isolated_settings, tmp_path)


@pytest.fixture
def settings(make_settings: SettingsFactory) -> Settings:
    return make_settings()


@pytest.fixture
def v1_app(settings: Settings) -> Flask:
    return app_v1.create_app({"SETTINGS": settings, "TESTING": True})


@pytest.fixture
def contract_settings(make_settings: SettingsFactory) -> Settings:
    """Small limits so the limit cases stay cheap."""
    return make_settings(max_body_bytes=8192, max_batch_items=5, max_requirement_chars=500)


@pytest.fixture(params=TARGET_NAMES)
def target(request: pytest.FixtureRequest, contract_settings: Settings) -> Target:
    return build_target(request.param, contract_settings)


@pytest.fixture
def all_targets(contract_settings: Settings) -> list[Target]:
    return [build_target(name, contract_settings) for name in TARGET_NAMES]


@pytest.fixture(scope="session")
def postgres_tables() -> Iterator[str]:
    """The session's PostgreSQL schema (one per xdist worker), tables created once."""
    with postgres_tables_url() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A fresh, empty database per test on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        with sqlite_database(tmp_path) as engine:
            yield engine
        return
    # asked for here, not as an argument: a run of SQLite tests alone never needs the server
    engine = empty_postgres(request.getfixturevalue("postgres_tables"))
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def served_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of one `reqgate serve` process on default settings, shared by the tests
    of a session (of an xdist worker) that only talk to a real server: each start imports
    the whole app, ~2.5 s of CPU. A test that needs other settings, or stops or kills its
    server, starts its own with tests.utils.server.running_gateway."""
    with running_gateway(tmp_path_factory.mktemp("served-gateway")) as base_url:
        yield base_url
