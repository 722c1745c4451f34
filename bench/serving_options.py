"""uvicorn's HTTP stack for `reqgate serve`: h11 or httptools, asyncio or uvloop, compared.

One gateway process per configuration, serving both variants (CANARY_PERCENT=50, each
request's X-User-Id chosen for a bucket on the wanted side), with `reqgate serve`'s
options and its protocol classes (gateway/serving.py: uvicorn's h11 or httptools protocol
with the head timeout and the head size limit). Three requests: the evaluation (a
64-character English requirement, three criteria, evaluated and stored) on v1 and on v2,
and on v2 an evaluation refused (400) before the database, where the server's share of
the cost is largest.

Two measures:
- wrk (Debian package `wrk`): -t1 -c32, the server pinned to CPU 0 and wrk to CPU 1,
  configurations interleaved in each round, medians over rounds, ratios against today's
  h11 + asyncio (the host is shared: the ratios are the figures to trust);
- --callgrind: instructions per request over every thread of the server process
  (valgrind; callgrind_control zeroes the counts after a warm-up and dumps them after
  exactly N requests), the flag cache's refresh off (valgrind is ~50x slower: a read per
  0.5 s of wall time would be counted per request many times over).

uvloop and httptools must be importable (`pip install uvloop httptools`, or the
`uvicorn[standard]` extra); a configuration whose module is missing is left out.

Usage: python bench/serving_options.py [--seconds 5] [--rounds 3]
       python bench/serving_options.py --callgrind [--requests 60]
"""

from __future__ import annotations

import argparse
import http.client
import importlib.util
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dev.processes import free_port, running  # noqa: E402
from gateway.bucketing import bucket_for  # noqa: E402

PATH = "/api/v1/evaluations"
CONFIGS = {  # name: (http, loop); the first is today's, the base of the ratios
    "h11+asyncio": ("h11", "asyncio"),
    "httptools+asyncio": ("httptools", "asyncio"),
    "h11+uvloop": ("h11", "uvloop"),
    "httptools+uvloop": ("httptools", "uvloop"),
}
TEXT = "The system shall answer every search request within 2 seconds."
EVALUATION = {"requirementText": TEXT, "context": {"language": "en"}}
EVALUATION["criteriaKeys"] = ["clarity", "testability", "measurability"]
WORKLOADS = {  # name: (variant, body, expected status)
    "v1 evaluation": ("v1", json.dumps(EVALUATION), 200),
    "v2 evaluation": ("v2", json.dumps(EVALUATION), 200),
    "v2 refused (400)": ("v2", json.dumps({"requirementText": ""}), 400),
}
CONNECTIONS = 32
CALLGRIND_CONNECTIONS = 4


def user_for(variant: str) -> str:
    """An X-User-Id whose bucket routes to the variant at CANARY_PERCENT=50."""
    return next(
        f"user-{n}"
        for n in range(1000)
        if (bucket_for("reqgate-v2", f"user-{n}") <= 50) == (variant == "v2")
    )


def serve(http: str, loop: str, port: int, fixed_flags: bool) -> None:
    """Run the gateway as `reqgate serve` does, on the given parser and loop."""
    import uvicorn

    import gateway.main  # builds the app from the environment, as `reqgate serve` does
    from core.settings import get_settings
    from gateway.router import router_of
    from gateway.serving import head_limited

    settings = get_settings()
    app: Any = gateway.main.app
    if fixed_flags:
        router_of(app).flags.max_age_s = float("inf")
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        http=head_limited(
            settings.http_header_timeout_s, settings.http_max_head_bytes, parser=http
        ),
        loop=loop,
        ws="none",
        timeout_keep_alive=settings.http_keep_alive_s,
        h11_max_incomplete_event_size=settings.http_max_head_bytes,
        access_log=False,
        log_config=None,
        server_header=False,
    )


@contextmanager
def server(
    config: str, workdir: Path, prefix: list[str], timeout_s: float = 30
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A gateway on a free port in its own database; yields its URL and process."""
    port = free_port()
    http, loop = CONFIGS[config]
    data = Path(tempfile.mkdtemp(dir=workdir))
    env = {
        **os.environ,
        "SQLITE_PATH": str(data / "reqgate.db"),
        "QDRANT_PATH": str(data / "qdrant"),
        "CANARY_PERCENT": "50",
        "LOG_LEVEL": "INFO",  # the JSON access line per request, to the log file
    }
    command = [*prefix, sys.executable, __file__, f"--serve={http},{loop},{port}"]
    if prefix[0] == "valgrind":
        command.append("--fixed-flags")
    url = f"http://127.0.0.1:{port}"
    with running(
        command, f"{url}/livez", env=env, cwd=ROOT, log_path=data / "log", timeout_s=timeout_s
    ) as process:
        yield url, process


def _wrk(url: str, seconds: int, script: Path) -> float:
    output = subprocess.run(
        ["taskset", "-c", "1", "wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s"]
        + ["-s", str(script), url + PATH],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if "Socket errors" in output or "Non-2xx" in output and "refused" not in script.stem:
        print(f"warning: unexpected answers or socket errors:\n{output}", file=sys.stderr)
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]


def _scripts(workdir: Path) -> dict[str, Path]:
    scripts = {}
    for name, (variant, body, _) in WORKLOADS.items():
        script = workdir / (re.sub(r"\W+", "-", name) + ".lua")
        script.write_text(
            f'wrk.method = "POST"\nwrk.body = {json.dumps(body)}\n'
            'wrk.headers["Content-Type"] = "application/json"\n'
            f'wrk.headers["X-User-Id"] = "{user_for(variant)}"\n'
        )
        scripts[name] = script
    return scripts


def measure_wrk(configs: list[str], seconds: int, rounds: int, workdir: Path) -> None:
    scripts = _scripts(workdir)
    runs: dict[tuple[str, str], list[float]] = {}
    for _ in range(rounds):
        for config in configs:
            with server(config, workdir, ["taskset", "-c", "0"]) as (url, _process):
                for name, script in scripts.items():
                    _wrk(url, 1, script)  # warm-up
                    runs.setdefault((config, name), []).append(_wrk(url, seconds, script))
    print(f"req/s, wrk -t1 -c{CONNECTIONS} -d{seconds}s, median of {rounds} interleaved rounds")
    _table(configs, {key: statistics.median(values) for key, values in runs.items()}, "{:>8.0f}")


def _send(url: str, workload: str, count: int, connections: int) -> None:
    """Exactly `count` requests over keep-alive connections, each answer read whole."""
    variant, body, status = WORKLOADS[workload]
    headers = {"Content-Type": "application/json", "X-User-Id": user_for(variant)}
    host, port = url.removeprefix("http://").split(":")
    left = [count]
    lock = threading.Lock()

    def client() -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=600)
        while True:
            with lock:
                if not left[0]:
                    break
                left[0] -= 1
            connection.request("POST", PATH, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            assert response.status == status, (workload, response.status)
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _callgrind(pid: int, command: str) -> None:
    subprocess.run(["callgrind_control", command, str(pid)], check=True, capture_output=True)


def measure_instructions(configs: list[str], requests: int, workdir: Path) -> None:
    counts: dict[tuple[str, str], float] = {}
    for config in configs:
        out = workdir / f"callgrind-{config}.out"
        prefix = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"]
        with server(config, workdir, prefix, timeout_s=600) as (url, process):
            for dump, workload in enumerate(WORKLOADS, start=1):
                _send(url, workload, 10, CALLGRIND_CONNECTIONS)  # warm-up
                _callgrind(process.pid, "--zero")
                _send(url, workload, requests, CALLGRIND_CONNECTIONS)
                time.sleep(1)  # the access line is written after the answer's last byte
                _callgrind(process.pid, "--dump")
                summary = Path(f"{out}.{dump}").read_bytes()
                total = int(re.search(rb"^summary: (\d+)", summary, re.M)[1])  # type: ignore[index]
                counts[config, workload] = total / requests
    print(
        f"instructions/request (callgrind, every thread), {requests} requests after 10,"
        f" {CALLGRIND_CONNECTIONS} connections"
    )
    _table(configs, counts, "{:>10,.0f}")


def _table(configs: list[str], figures: dict[tuple[str, str], float], cell: str) -> None:
    base = configs[0]
    print(f"{'configuration':<20}" + "".join(f" {name:>26}" for name in WORKLOADS))
    for config in configs:
        cells = [
            cell.format(figures[config, name])
            + f" ({figures[config, name] / figures[base, name]:.3f})"
            for name in WORKLOADS
        ]
        print(f"{config:<20}" + "".join(f" {c:>26}" for c in cells))


def available() -> list[str]:
    """The configurations whose modules are installed."""
    missing = {m for m in ("httptools", "uvloop") if importlib.util.find_spec(m) is None}
    return [name for name, (http, loop) in CONFIGS.items() if not {http, loop} & missing]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--callgrind", action="store_true", help="count instructions instead")
    parser.add_argument("--requests", type=int, default=60, help="per request kind, callgrind")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--fixed-flags", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        http, loop, port = args.serve.split(",")
        serve(http, loop, int(port), args.fixed_flags)
        return 0
    needed = ["valgrind", "callgrind_control"] if args.callgrind else ["wrk", "taskset"]
    if not all(shutil.which(tool) for tool in needed):
        print(f"needs {' and '.join(needed)} (Debian packages)", file=sys.stderr)
        return 1
    configs = available()
    if len(configs) < len(CONFIGS):
        print(f"only {', '.join(configs)}: install uvloop and httptools", file=sys.stderr)
    shm = "/dev/shm" if os.path.isdir("/dev/shm") else None
    with tempfile.TemporaryDirectory(dir=shm) as tmp:
        if args.callgrind:
            measure_instructions(configs, args.requests, Path(tmp))
        else:
            measure_wrk(configs, args.seconds, args.rounds, Path(tmp))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
