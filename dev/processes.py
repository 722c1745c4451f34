"""Running a server process on a free loopback port, for tests and benchmarks.

One place for "start it, wait until it answers, stop it", so a test or a bench never hangs
on a server that died at start-up, and never blocks one by leaving its output in a pipe.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

WORKER_PORTS = (20000, 32768)  # where xdist workers draw their ports (see free_port)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now.

    Under pytest-xdist a worker takes only ports whose remainder by the worker count is its
    own number, so two workers never get the same port between this call and their server's
    bind. Those are drawn below Linux's ephemeral range (32768-60999), whose bind(0) ports
    are all odd, so a remainder cannot be waited for there.
    """
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
    for _ in range(1000):
        port = (
            0 if count == 1 else random.randrange(WORKER_PORTS[0] + worker, WORKER_PORTS[1], count)
        )
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:  # taken: draw again
                continue
            return int(sock.getsockname()[1])
    raise RuntimeError(f"no free port for worker {worker} of {count}")


@contextmanager
def running(
    command: Sequence[str],
    ready_url: str,
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    log_path: Path | None = None,
    timeout_s: float = 30.0,
) -> Iterator[subprocess.Popen[bytes]]:
    """Start `command`, wait until GET `ready_url` answers 2xx, stop it afterwards.

    Its output goes to `log_path` (else nowhere): a file, because a pipe nobody reads fills
    up and freezes the server mid-test. A server that exits or stays silent raises
    RuntimeError with the tail of that log. It runs in a process group of its own: one
    that does not stop within 10 s of SIGTERM is killed with whatever it started (the
    workers of `reqgate serve --workers N`), so no worker outlives its test.
    """
    log = log_path.open("ab") if log_path else None
    process = subprocess.Popen(
        list(command),
        cwd=cwd,
        env=dict(env) if env else None,
        stdout=subprocess.DEVNULL,
        stderr=log or subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_until_ready(process, command[0], ready_url, timeout_s, log_path)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if log:
            log.close()


def _wait_until_ready(
    process: subprocess.Popen[bytes],
    name: str,
    url: str,
    timeout_s: float,
    log_path: Path | None,
) -> None:
    deadline = time.monotonic() + timeout_s
    # One client for every poll: each new client builds a TLS context (~20 ms of CPU, even
    # for http://), which the starting server would otherwise compete with ten times a second.
    with httpx.Client(timeout=1) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited: {_tail(log_path)}")
            try:
                if client.get(url).is_success:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
    raise RuntimeError(f"{name} did not answer {url} in {timeout_s} s")


def _tail(log_path: Path | None) -> str:
    return log_path.read_text(errors="replace")[-2000:] if log_path else "(no log)"
