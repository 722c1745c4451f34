"""Real servers on 127.0.0.1 for end-to-end tests: a gateway process, or any ASGI app in a
thread (for streaming and client disconnects; the test clients buffer whole responses)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn
from starlette.types import ASGIApp

ROOT = Path(__file__).parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_gateway(data_dir: Path, env: Mapping[str, str] | None = None) -> Iterator[str]:
    """A `uvicorn gateway.main:app` process; yields its base URL, stops it afterwards."""
    port = free_port()
    process_env = {
        **os.environ,
        "SQLITE_PATH": str(data_dir / "reqgate.db"),
        "QDRANT_PATH": str(data_dir / "qdrant"),
        "REQUIREMENTS_MD_PATH": str(ROOT / "docs" / "requirements.md"),
        **(env or {}),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "gateway.main:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
        ],
        cwd=data_dir,
        env=process_env,
        stdout=subprocess.DEVNULL,
        # A file, not a pipe: a full pipe would block the server mid-test.
        stderr=(data_dir / "gateway.log").open("ab"),
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(process, base_url, data_dir / "gateway.log")
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=15)


def _wait_until_up(process: subprocess.Popen[bytes], base_url: str, log_path: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = log_path.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"gateway exited: {log}")
        try:
            if httpx.get(f"{base_url}/livez", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("gateway did not start within 30 s")


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
