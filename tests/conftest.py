"""Fixtures: settings on a fresh database per test, the apps, and the four contract targets."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.engine import Engine

import app_v1
import app_v2.main
import gateway.app
from core.settings import Settings, load_settings
from tests.utils.database import database_urls
from tests.utils.targets import AsgiTarget, FlaskTarget, Target

pytest_plugins = ["tests.utils.engines"]  # the fake_engine fixture

SettingsFactory = Callable[..., Settings]
TARGET_NAMES = ("flask-v1", "fastapi-v2", "gateway-v1", "gateway-v2")


@pytest.fixture
def make_settings(tmp_path: Path) -> SettingsFactory:
    """Settings isolated from the developer's .env, on a SQLite file in tmp_path."""

    def factory(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "_env_file": None,
            "sqlite_path": tmp_path / "reqgate.db",
            "requirements_md_path": Path(__file__).parents[1] / "docs" / "requirements.md",
        }
        values.update(overrides)
        return load_settings(**values)

    return factory


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


def build_target(name: str, settings: Settings) -> Target:
    if name == "flask-v1":
        return FlaskTarget(name, app_v1.create_app({"SETTINGS": settings, "TESTING": True}))
    if name == "fastapi-v2":
        return AsgiTarget(name, app_v2.main.create_app(settings))
    # Each gateway target gets its own database: the flags live there, and two gateways on
    # one database would share (and overwrite) each other's forced variant.
    forced = settings.model_copy(
        update={
            "feature_flag_use_v2": name == "gateway-v2",
            "sqlite_path": settings.sqlite_path.with_name(f"{name}.db"),
        }
    )
    return AsgiTarget(name, gateway.app.create_app(forced))


@pytest.fixture(params=TARGET_NAMES)
def target(request: pytest.FixtureRequest, contract_settings: Settings) -> Target:
    return build_target(request.param, contract_settings)


@pytest.fixture
def all_targets(contract_settings: Settings) -> list[Target]:
    return [build_target(name, contract_settings) for name in TARGET_NAMES]


@pytest.fixture(params=["sqlite", "postgresql"])
def db_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A fresh, empty database per test on SQLite and on PostgreSQL."""
    with database_urls(request.param, tmp_path) as engine:
        yield engine
