"""`serve` with several workers: what it hands uvicorn, what the workers inherit, and the
database made ready before they start; uvicorn itself is replaced (no server runs)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect

import gateway.serving
from core.store.db import get_engine
from core.store.flags import read_flags
from gateway.metrics import MULTIPROC_ENV
from gateway.serving import APP, PROTOCOL, serve
from tests.conftest import SettingsFactory

QDRANT_SERVER = "http://127.0.0.1:9"  # never called: nothing here touches the knowledge base


class Run:
    """What uvicorn.run got, and the environment it would have started the workers with."""

    def __init__(self) -> None:
        self.options: dict[str, Any] = {}
        self.env: dict[str, str] = {}
        self.metrics_files: list[Path] = []

    def __call__(self, app: str, **options: Any) -> None:
        self.options = {"app": app, **options}
        self.env = {k: os.environ[k] for k in ("API_WORKERS", MULTIPROC_ENV) if k in os.environ}
        if MULTIPROC_ENV in self.env:
            self.metrics_files = list(Path(self.env[MULTIPROC_ENV]).iterdir())


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch) -> Run:
    for name in ("API_WORKERS", MULTIPROC_ENV):
        monkeypatch.delenv(name, raising=False)
    recorded = Run()
    monkeypatch.setattr(gateway.serving.uvicorn, "run", recorded)
    monkeypatch.setattr(gateway.serving, "configure_logging", lambda *_: None)
    return recorded


def test_serve_workers_share_a_new_metrics_dir_and_a_ready_database(
    run: Run, make_settings: SettingsFactory
) -> None:
    settings = make_settings(api_workers=2, qdrant_url=QDRANT_SERVER, canary_percent=5)
    serve(settings)
    assert run.options["app"] == APP and run.options["http"] == PROTOCOL
    assert run.options["workers"] == 2
    assert run.env["API_WORKERS"] == "2" and run.metrics_files == []
    metrics_dir = Path(run.env[MULTIPROC_ENV])
    assert not metrics_dir.exists()  # removed when the server stopped
    assert "API_WORKERS" not in os.environ and MULTIPROC_ENV not in os.environ
    engine = get_engine(settings.sqlalchemy_url)
    assert "flag_state" in inspect(engine).get_table_names()
    flags = read_flags(engine)
    assert flags is not None and flags.canary_percent == 5  # the env's flags, applied once


def test_serve_one_worker_runs_in_this_process(run: Run, make_settings: SettingsFactory) -> None:
    serve(make_settings())
    assert run.options["workers"] == 1 and run.options["http"] == PROTOCOL
    assert run.env == {}  # no metrics files: the registries of this process, as always
