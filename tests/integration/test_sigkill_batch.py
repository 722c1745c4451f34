"""Issue 12, acceptance 2: a `reqgate serve` process killed (SIGKILL) in the middle of a
large batch/evaluate leaves all of that batch's rows or none, never a part, and the
restarted process serves on the same database."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import AbstractContextManager
from pathlib import Path

import httpx
import pytest

from dev.processes import free_port, running
from tests.utils.server import ROOT

ROWS = 3000  # about 3 s of work on this machine: the kill lands in the middle
KILL_AFTER_S = 1.0
pytestmark = pytest.mark.slow


def _table(rows: int) -> str:
    lines = [
        f"| R{n} | The system shall export report {n} as PDF within {n % 9 + 1} seconds. | {{}} |"
        for n in range(rows)
    ]
    return "| id | requirementText | context |\n|---|---|---|\n" + "\n".join(lines) + "\n"


def _serve(data_dir: Path, port: int) -> AbstractContextManager[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "API_PORT": str(port),
        "SQLITE_PATH": str(data_dir / "reqgate.db"),
        "QDRANT_PATH": str(data_dir / "qdrant"),
        "REQUIREMENTS_MD_PATH": str(ROOT / "docs" / "requirements.md"),
        "LOG_LEVEL": "WARNING",
        "MAX_BATCH_ITEMS": str(ROWS),
    }
    command = [str(Path(sys.executable).with_name("reqgate")), "serve"]
    return running(
        command,
        f"http://127.0.0.1:{port}/livez",
        env=env,
        cwd=data_dir,
        log_path=data_dir / "serve.log",
    )


def _rows(path: Path) -> tuple[int, int]:
    connection = sqlite3.connect(path)
    try:
        evaluations = connection.execute("SELECT count(*) FROM evaluation").fetchone()[0]
        orphans = connection.execute(
            "SELECT count(*) FROM evaluation WHERE id NOT IN "
            "(SELECT evaluation_id FROM evaluation_detail)"
        ).fetchone()[0]
    finally:
        connection.close()
    return int(evaluations), int(orphans)


def test_sigkill_mid_batch_leaves_all_rows_or_none(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/api/v1/batch/evaluate"
    outcome: dict[str, object] = {}

    def send() -> None:
        try:
            outcome["status"] = httpx.post(url, json={"markdown": _table(ROWS)}, timeout=60)
        except httpx.TransportError as exc:
            outcome["error"] = type(exc).__name__

    with _serve(tmp_path, port) as process:
        client = threading.Thread(target=send)
        client.start()
        time.sleep(KILL_AFTER_S)
        process.kill()  # SIGKILL: no shutdown, no commit, no cleanup
        process.wait()
        client.join(10)
    assert "error" in outcome, "the batch finished before the kill: raise ROWS"
    with _serve(tmp_path, port):
        after_restart = _rows(tmp_path / "reqgate.db")
        response = httpx.post(url, json={"markdown": _table(3)}, timeout=30)
        assert response.status_code == 200
    print(json.dumps({"rowsAfterKill": after_restart[0], "batch": ROWS}))  # noqa: T201
    assert after_restart[0] in (0, ROWS) and after_restart[1] == 0
    assert _rows(tmp_path / "reqgate.db") == (after_restart[0] + 3, 0)
