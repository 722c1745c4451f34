"""`reqgate serve --workers N`: the number reaches the settings, and several workers without
a Qdrant server are refused before anything starts (docs/operations.md, "Several workers")."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import gateway.serving
from cli.main import main
from core.settings import Settings, get_settings


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Settings]]:
    """The settings `serve` was called with (no server starts); no .env, no Qdrant server,
    and the process settings read again (`serve` without --workers reads them)."""
    monkeypatch.chdir(tmp_path)
    for name in ("API_WORKERS", "QDRANT_URL", "V2_UPSTREAM_URL"):
        monkeypatch.delenv(name, raising=False)
    calls: list[Settings] = []
    monkeypatch.setattr(gateway.serving, "serve", calls.append)
    get_settings.cache_clear()
    yield calls
    get_settings.cache_clear()


def test_serve_workers_reach_the_settings(
    served: list[Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QDRANT_URL", "http://qdrant:6333")
    assert main(["serve", "--workers", "3"]) == 0
    assert [settings.api_workers for settings in served] == [3]


@pytest.mark.parametrize("argv", [["--workers", "2"], []], ids=["flag", "env"])
def test_serve_workers_without_qdrant_server_refused(
    served: list[Settings],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
) -> None:
    monkeypatch.setenv("API_WORKERS", "1" if argv else "2")
    assert main(["serve", *argv]) == 2
    error = capsys.readouterr().err
    assert "API_WORKERS above 1 needs QDRANT_URL" in error and "Traceback" not in error
    assert served == []
