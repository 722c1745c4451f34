"""`reqgate ingest FILE...`: the route's answer on stdout, a progress bar, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tqdm import tqdm

import cli.ingest
from cli.main import main
from core.settings import Settings
from core.vectors import VectorStore, close_clients
from tests.conftest import SettingsFactory
from tests.utils.embeddings import down_for, fake_embeddings, openai_settings

SPEC = "The system shall lock an account after five failed logins. " * 20


@pytest.fixture
def kb_settings(
    make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Settings:
    """The settings the command reads: a knowledge base on disk in tmp_path."""
    settings = make_settings(
        qdrant_path=tmp_path / "qdrant", chunk_tokens=24, chunk_overlap_tokens=4
    )
    _use(monkeypatch, settings)
    return settings


def _use(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    monkeypatch.setattr(cli.ingest, "get_settings", lambda: settings)


def _files(tmp_path: Path) -> list[str]:
    (tmp_path / "spec.md").write_text(SPEC, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("Backups are encrypted at rest.", encoding="utf-8")
    return [str(tmp_path / "spec.md"), str(tmp_path / "notes.txt")]


def test_ingest_cli_prints_the_route_answer_and_a_full_bar(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    kb_settings: Settings,
    tmp_path: Path,
) -> None:
    shown = {"disable": False, "mininterval": 0, "miniters": 1}  # as at a terminal, all drawn
    monkeypatch.setattr(cli.ingest, "tqdm", lambda **options: tqdm(**options | shown))
    assert main(["ingest", *_files(tmp_path)]) == 0
    out, err = capsys.readouterr()
    answer = json.loads(out)
    assert (answer["countFiles"], answer["countBlocks"], answer["qdrantPort"]) == (2, 2, None)
    total = answer["countChunks"]
    assert "upserted notes.txt: 100%" in err and f"{total}/{total}" in err
    assert VectorStore(kb_settings).count() == answer["upserted"] == total  # lock released
    close_clients()


def test_ingest_cli_unusable_file_exits_2_writing_nothing(
    capsys: pytest.CaptureFixture[str], kb_settings: Settings, tmp_path: Path
) -> None:
    (tmp_path / "tool.exe").write_bytes(b"MZ")
    assert main(["ingest", *_files(tmp_path), str(tmp_path / "tool.exe")]) == 2
    assert main(["ingest", str(tmp_path / "missing.md")]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "tool.exe" in err and "missing.md: No such file" in err
    assert VectorStore(kb_settings).count() is None
    close_clients()


def test_ingest_cli_provider_down_exits_1(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    make_settings: SettingsFactory,
    tmp_path: Path,
) -> None:
    fake_embeddings(monkeypatch, down_for("Backups"))
    _use(monkeypatch, openai_settings(make_settings))
    assert main(["ingest", *_files(tmp_path)]) == 1
    assert "embeddings provider is unavailable" in capsys.readouterr().err
