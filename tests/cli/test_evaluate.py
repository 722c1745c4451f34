"""`reqgate evaluate`: offline batch evaluation of a markdown file, as a CI gate."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import cli.evaluate
from cli.main import main
from core.settings import Settings
from tests.conftest import build_target
from tests.utils.engines import FakeEngine
from tests.utils.targets import normalized

ROOT = Path(__file__).parents[2]
SPEC = ROOT / "docs" / "requirements.md"
MODES = {"evaluate": [], "suggest": ["--suggest"], "rewrite": ["--rewrite"]}


@pytest.fixture(autouse=True)
def _offline_settings(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    monkeypatch.setattr(cli.evaluate, "get_settings", lambda: settings)


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["evaluate", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("target_name", ["flask-v1", "fastapi-v2"])
@pytest.mark.parametrize("mode", list(MODES))
def test_evaluate_json_equals_api_batch_output(
    capsys: pytest.CaptureFixture[str], settings: Settings, mode: str, target_name: str
) -> None:
    _, out, _ = _run(capsys, str(SPEC), "--format", "json", *MODES[mode])
    api = build_target(target_name, settings).request("POST", f"/api/v1/batch/{mode}").body
    assert normalized(json.loads(out)) == normalized(api)


def _spec(tmp_path: Path, *texts: str) -> str:
    path = tmp_path / "spec.md"
    rows = "".join(f"| R{n} | {text} |\n" for n, text in enumerate(texts))
    path.write_text(f"| id | requirementText |\n|---|---|\n{rows}", encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("texts", "code"),
    [
        (("Good one.", "Fine too."), 0),
        (("Good one.", "A bad one."), 1),
        (("Good one.", "💥 engine error"), 1),
    ],
)
def test_evaluate_exit_code_gates_on_failures(
    capsys: pytest.CaptureFixture[str],
    fake_engine: FakeEngine,
    tmp_path: Path,
    texts: tuple[str, ...],
    code: int,
) -> None:
    assert _run(capsys, _spec(tmp_path, *texts), "--format", "json")[0] == code


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "requirements file not found"),
        ("| id | requirementText |\n|---|---|\n| R1 | a | b |\n", "line 3: 3 cells"),
    ],
)
def test_evaluate_bad_input_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "spec.md"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    code, out, err = _run(capsys, str(path))
    assert (code, out) == (2, "")
    assert message in err


def test_evaluate_csv_rows_and_errors(
    capsys: pytest.CaptureFixture[str],
    fake_engine: FakeEngine,
    tmp_path: Path,
) -> None:
    _, out, _ = _run(capsys, _spec(tmp_path, "A bad one.", "💥"), "--format", "csv", "--rewrite")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == [
        "id",
        "line",
        "score",
        "verdict",
        "suggestions",
        "redefinedRequirement",
        "error",
    ]
    assert rows[1][:4] == ["R0", "3", "0.2", "fail"] and rows[1][5] == "A [measurable bound] one."
    assert rows[2][0] == "R1" and rows[2][3] == "error" and rows[2][6]


def test_evaluate_markdown_is_merged_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, str(SPEC), "--suggest")
    assert "| id | requirementText | context | score | verdict | suggestions |" in out
    assert out.startswith("# Example requirements") and code in (0, 1)


def test_evaluate_console_script_runs_offline(tmp_path: Path) -> None:
    """The installed entry point, in a fresh process, without a server or a database file."""
    env = {**os.environ, "SQLITE_PATH": str(tmp_path / "unused.db"), "MOCK_MODE": "true"}
    done = subprocess.run(
        [sys.executable, "-m", "cli.main", "evaluate", "docs/requirements.md", "--format", "json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    assert list(json.loads(done.stdout)["items"])[:2] == ["REQ-001", "REQ-002"]
    assert done.stderr == ""  # no progress bar when stderr is not a terminal
    assert not (tmp_path / "unused.db").exists()
