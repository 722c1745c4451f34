"""The access lines wait up to LINES_WAIT_S to be written (core.logging.LogLine): a server
that stops normally has written those of its last requests, with one or several workers
(whichever writes them: the wait's timer, the lifespan's flush at shutdown, or the flush at
exit)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import httpx
import pytest

from tests.utils.server import ROOT, free_port, running

REQUESTS = 5


@pytest.mark.parametrize("workers", [1, 2])
def test_stopped_server_wrote_every_access_line(tmp_path: Path, workers: int) -> None:
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),  # this tree's code, whatever the venv has installed
        "TMPDIR": str(tmp_path),  # the metrics dir of several workers too
        "QDRANT_URL": "http://127.0.0.1:9",  # required with workers; never called here
        "SQLITE_PATH": str(tmp_path / "reqgate.db"),
        "QDRANT_PATH": str(tmp_path / "qdrant"),
        "REQUIREMENTS_MD_PATH": str(ROOT / "docs" / "requirements.md"),
        "API_HOST": "127.0.0.1",
        "API_PORT": str(port),
        "LOG_LEVEL": "INFO",
        "LOG_FORMAT": "json",
    }
    command = [sys.executable, "-m", "cli.main", "serve", "--workers", str(workers)]
    log_path = tmp_path / "gateway.log"
    url = f"http://127.0.0.1:{port}"
    ids = [f"stop-{n}" for n in range(REQUESTS)]
    with running(command, f"{url}/livez", env=env, cwd=tmp_path, log_path=log_path, timeout_s=120):
        for request_id in ids:
            answer = httpx.get(
                f"{url}/api/v1/criteria", headers={"X-Request-Id": request_id}, timeout=30
            )
            assert answer.status_code == 200
    # stopped (SIGTERM) as soon as the last answer came: none of its lines was due yet
    logged = [
        json.loads(line)
        for line in log_path.read_text().splitlines()
        if line.startswith("{") and '"reqgate.access"' in line
    ]
    assert sorted(e["requestId"] for e in logged if e["requestId"] in ids) == ids
