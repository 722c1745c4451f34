"""Real servers on 127.0.0.1 for end-to-end tests: a gateway process, or any ASGI app in a
thread (for streaming and client disconnects; the test clients buffer whole responses)."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from starlette.types import ASGIApp

from dev.processes import free_port, running

__all__ = ["ROOT", "free_port", "running_gateway", "running_server"]

ROOT = Path(__file__).parents[2]


@contextmanager
def running_gateway(data_dir: Path, env: Mapping[str, str] | None = None) -> Iterator[str]:
    """A `reqgate serve` process (the server options `make run` gets); yields its base URL,
    stops it afterwards."""
    port = free_port()
    process_env = {
        **os.environ,
        "SQLITE_PATH": str(data_dir / "reqgate.db"),
        "QDRANT_PATH": str(data_dir / "qdrant"),
        "REQUIREMENTS_MD_PATH": str(ROOT / "docs" / "requirements.md"),
        **(env or {}),
        "API_HOST": "127.0.0.1",
        "API_PORT": str(port),
    }
    command = [sys.executable, "-m", "cli.main", "serve"]
    base_url = f"http://127.0.0.1:{port}"
    with running(
        command,
        f"{base_url}/livez",
        env=process_env,
        cwd=data_dir,
        log_path=data_dir / "gateway.log",
    ):
        yield base_url


@contextmanager
def running_server(app: ASGIApp) -> Iterator[str]:
    """Serve the app on a free port; yields its base URL."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_config=None, access_log=False, lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
