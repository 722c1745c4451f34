"""What the gateway costs: the same evaluation request, direct and through the gateway.

Groups, each measured in one run with its sides interleaved (ROUNDS times; medians, and
the min-max of each side's rounds):
  migration  the gateway forced to v1 vs the gateway forced to v2 vs uvicorn app_v2
             directly (issue 16: v2 through the gateway >= v1 through it, and >= 0.90 of
             v2 alone)
  v2   uvicorn app_v2 directly            vs  the gateway forced to v2 (in-process)
  v1   gunicorn app_v1, 1 sync worker     vs  the gateway forced to v1 (WSGI bridge)
  a2w  the gateway with v1 through a2wsgi vs  the gateway with v1 through the WSGI bridge

Load: wrk (Debian package `wrk`) with -t1 -c32 and a Lua script for the POST, the server
pinned to CPU 0 and wrk to CPU 1 (taskset), as in shared/PERF.md. Every server is one
process with one worker, SQLite in a temporary directory, the heuristic engine, uvicorn
without its access log (the gateway still writes its own JSON line per request, to
/dev/null) and with `reqgate serve`'s options (SERVE_OPTIONS; the gateway's sides with its
head-limited protocol too), the database files in /dev/shm. Targets from the gateway
issue: v2 through the gateway >= 90 % of direct, v1 through the gateway >= 80 % of gunicorn.

A second table sends an evaluation with an empty text, refused (400) by core's payload
check before any database access: the full request path without SQLite's lock, where the
gateway's own cost is a larger share, comparable to shared/PERF.md.

`--side-by-side`: every server of a group runs at once (all pinned to CPU 0, the idle ones
waiting), and the rounds are short wrk slices taking turns on them: a slow minute of the
shared machine then falls on every side within seconds, where restarting the servers each
round spread one round's sides over half a minute and read ratios 0.72-0.85 back to back.

`--seeds N`: side by side N times, every side's process started with the same string-hash
seed and no address-space randomisation each time (`setarch -R`), figures per seed the
medians of its rounds, ratios per seed. A process is faster or slower than the next by up
to a fifth for its whole life, whatever the rounds do (pyperf runs 20 processes for this
reason); comparing the sides process for process, over several layouts, is what settles
a ratio of a few percent (docs/benchmarks.md §14, "Fifth session").

`--baseline DIR`: each group's gateway sides once more, served from the checkout in DIR
(`git worktree add DIR <commit>`; same virtualenv) and named `<side>@baseline`: what a change
did, paired seed by seed with the build it changed (docs/benchmarks.md §14, "Sixth session").

Usage: python bench/gateway_overhead.py [--seconds 5] [--rounds 3] [--group migration ...]
                                        [--side-by-side] [--seeds N] [--baseline DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

from dev.processes import free_port, running  # noqa: E402

PATH = "/api/v1/evaluations"
# Where a side's server imports reqgate from: this checkout, or `--baseline` for
# `<side>@baseline`.
CHECKOUTS: dict[str, Path] = {"": ROOT}
# Refused by core's payload check (400) before any database access: every layer of the
# request path runs, but no SQLite lock, so the gateway's own cost is a larger share.
LIGHT_BODY = json.dumps({"requirementText": ""})
BODY = json.dumps(
    {
        "requirementText": "The system shall answer every search request within 2 seconds.",
        "context": {"language": "en"},
        "criteriaKeys": ["clarity", "testability", "measurability"],
    }
)


GROUPS: dict[str, tuple[str, ...]] = {
    "migration": ("v1-gateway", "v2-gateway", "v2-direct"),
    "v2": ("v2-direct", "v2-gateway"),
    "v1": ("v1-gunicorn", "v1-gateway"),
    "a2wsgi": ("v1-gateway-a2wsgi", "v1-gateway"),
}


def create_a2wsgi_gateway() -> object:
    """uvicorn factory: the gateway with v1 mounted through a2wsgi (the old way)."""
    from a2wsgi import WSGIMiddleware

    import app_v1
    from core.settings import get_settings
    from gateway.app import create_app

    settings = get_settings()
    return create_app(settings, v1=WSGIMiddleware(app_v1.create_app({"SETTINGS": settings})))


# The options of `reqgate serve` (gateway/serving.py) that change a request's cost, for
# every uvicorn side: no WebSocket protocol, no Server header (uvicorn checks each header it
# sends, its own too). The gateway's sides also run its head-limited protocol, at the
# settings' default limits: a deadline per request head is part of what the gateway costs.
SERVE_OPTIONS = ("--ws", "none", "--no-server-header")
GATEWAY_PROTOCOL = ("--http", "gateway.serving_httptools:HttpToolsHeadLimits")


def _commands(port: int) -> dict[str, list[str]]:
    uvicorn = [
        str(BIN / "uvicorn"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
        "--timeout-graceful-shutdown",
        "2",
        *SERVE_OPTIONS,
    ]
    gateway = [*uvicorn, *GATEWAY_PROTOCOL]
    return {
        "v2-direct": [*uvicorn, "app_v2.server:app"],
        "v2-gateway": [*gateway, "gateway.main:app"],
        "v1-gunicorn": [
            str(BIN / "gunicorn"),
            "-w",
            "1",
            "--no-control-socket",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "app_v1.wsgi:app",
        ],
        "v1-gateway": [*gateway, "gateway.main:app"],
        "v1-gateway-a2wsgi": [
            *gateway,
            "--factory",
            "--app-dir",
            str(ROOT / "bench"),
            "gateway_overhead:create_a2wsgi_gateway",
        ],
    }


@contextmanager
def server(name: str, workdir: Path, seed: int | None = None) -> Iterator[tuple[str, int]]:
    """The server's URL and process id, while it runs; with `seed`, its string hashes
    seeded (PYTHONHASHSEED) and its address space laid out (no ASLR) the same way as every
    other server started with that seed."""
    port = free_port()
    side, _, checkout = name.partition("@")
    root = CHECKOUTS[checkout]
    env = {
        **os.environ,
        **({"PYTHONHASHSEED": str(seed)} if seed is not None else {}),
        "PYTHONPATH": str(root),
        "SQLITE_PATH": str(workdir / f"{name}.db"),
        "FEATURE_FLAG_USE_V2": str(name.startswith("v2")).lower(),
        "CANARY_PERCENT": "0",
        "LOG_LEVEL": "INFO",
        "QDRANT_PATH": str(workdir / f"qdrant-{name}"),  # embedded Qdrant locks its path
    }
    command = ["taskset", "-c", "0", *_commands(port)[side]]
    if seed is not None:
        command = ["setarch", "-R", *command]
    url = f"http://127.0.0.1:{port}"
    # pinned to one core that others share, the imports alone can take half a minute
    with running(command, f"{url}/health", env=env, cwd=root, timeout_s=120) as process:
        yield url, process.pid  # taskset runs the server in its own process


def _family(pid: int) -> list[int]:
    """The process and its descendants (gunicorn's worker is its master's child)."""
    family, index = [pid], 0
    while index < len(family):
        for children in Path(f"/proc/{family[index]}/task").glob("*/children"):
            try:
                family += [int(child) for child in children.read_text().split()]
            except (FileNotFoundError, ProcessLookupError):
                continue
        index += 1
    return family


def cpu_ns(pid: int) -> int:
    """CPU time the process, its descendants and all their threads have run, in ns (the
    scheduler's own count, steal time excluded), summed over every thread alive now."""
    total = 0
    for member in _family(pid):
        for task in Path(f"/proc/{member}/task").glob("*/schedstat"):
            try:
                total += int(task.read_text().split()[0])
            except (FileNotFoundError, ProcessLookupError):
                continue  # a thread that ended meanwhile (the flag refresh's)
    return total


def _measured(url: str, pid: int, seconds: int, script: Path) -> dict[str, float]:
    """wrk's figures, and the server's CPU us per answered request over the same seconds."""
    before = cpu_ns(pid)
    figures = _wrk(url, seconds, script)
    figures["cpu_us"] = (cpu_ns(pid) - before) / 1000 / (figures["rps"] * seconds)
    return figures


def _wrk(url: str, seconds: int, script: Path) -> dict[str, float]:
    output = subprocess.run(
        [
            "taskset",
            "-c",
            "1",
            "wrk",
            "-t1",
            "-c32",
            f"-d{seconds}s",
            "--latency",
            "-s",
            str(script),
            url + PATH,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if "Socket errors" in output or ("Non-2xx" in output) == (script.stem == "valid"):
        print(f"warning: unexpected answers or socket errors:\n{output}", file=sys.stderr)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        "p50": _millis(re.search(r"50%\s+([\d.]+\w+)", output).group(1)),  # type: ignore[union-attr]
        "p99": _millis(re.search(r"99%\s+([\d.]+\w+)", output).group(1)),  # type: ignore[union-attr]
    }


def _millis(value: str) -> float:
    number, unit = float(re.match(r"[\d.]+", value).group()), value.lstrip("0123456789.")  # type: ignore[union-attr]
    return number * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def measure_group(
    names: tuple[str, ...], seconds: int, rounds: int, workdir: Path, script: Path
) -> dict[str, list[dict[str, float]]]:
    """Each side's wrk figures per round; the sides take turns, in a rotating order, so
    that a slow minute of the shared machine falls on all of them."""
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in names}
    for number in range(rounds):
        shift = number % len(names)
        for name in names[shift:] + names[:shift]:
            with server(name, workdir) as (url, pid):
                _wrk(url, 1, script)  # warm-up
                runs[name].append(_measured(url, pid, seconds, script))
    return runs


def measure_side_by_side(
    names: tuple[str, ...],
    seconds: int,
    rounds: int,
    workdir: Path,
    script: Path,
    seed: int | None = None,
) -> dict[str, list[dict[str, float]]]:
    """As measure_group, with every side's server started once and left running."""
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in names}
    with ExitStack() as stack:
        servers = {name: stack.enter_context(server(name, workdir, seed)) for name in names}
        for url, _pid in servers.values():
            _wrk(url, 2, script)  # warm-up
        for number in range(rounds):
            shift = number % len(names)
            for name in names[shift:] + names[:shift]:
                runs[name].append(_measured(*servers[name], seconds, script))
    return runs


def measure_seeded(
    names: tuple[str, ...], seconds: int, rounds: int, workdir: Path, script: Path, seeds: int
) -> dict[str, list[dict[str, float]]]:
    """measure_side_by_side once per seed 1..seeds: each side's medians per seed.

    One process of a side is faster or slower than the next by up to a fifth, for the whole
    of its life (its string hashes and memory layout, which PYTHONHASHSEED and ASLR pick at
    random): slices of one run agree with each other, runs do not (0.83 and 1.00 for the
    same two builds, an hour apart). Each seed starts every side alike, so the sides are
    compared process for process, and the median over seeds is over layouts too.
    """
    per_seed: dict[str, list[dict[str, float]]] = {name: [] for name in names}
    for seed in range(1, seeds + 1):
        runs = measure_side_by_side(names, seconds, rounds, workdir, script, seed)
        for name in names:
            per_seed[name].append(
                {key: statistics.median(r[key] for r in runs[name]) for key in runs[name][0]}
            )
    return per_seed


def _print_group(
    names: tuple[str, ...], runs: dict[str, list[dict[str, float]]], unit: str = "round"
) -> None:
    """Medians per side, the req/s range of its rounds, and the ratio of medians to the
    first side; then the same ratio round by round (each round's sides ran minutes apart,
    not hours)."""
    median = {name: {k: statistics.median(r[k] for r in runs[name]) for k in runs[name][0]}
              for name in names}  # fmt: skip
    base = median[names[0]]["rps"]
    for name in names:
        f, rates = median[name], [r["rps"] for r in runs[name]]
        spread = f"{min(rates):.0f}-{max(rates):.0f}"
        print(
            f"{name:<20} {f['rps']:>8.0f} {spread:>11} {f['p50']:>7.2f} {f['p99']:>7.2f}"
            f"  {f['rps'] / base:.2f} {f['cpu_us']:>10.0f}"
        )
    compared = [(name, names[0]) for name in names[1:]]
    compared += [(a, b) for i, a in enumerate(names[1:], 1) for b in names[i + 1 :]]
    for name, other in compared:
        pairs = list(zip(runs[name], runs[other], strict=True))
        for title, ratios in (
            ("req/s", [r["rps"] / b["rps"] for r, b in pairs]),
            ("CPU/request", [b["cpu_us"] / r["cpu_us"] for r, b in pairs]),
        ):
            print(
                f"  {name} / {other}, {title}, per {unit} (median "
                f"{statistics.median(ratios):.2f}): " + " ".join(f"{x:.2f}" for x in ratios)
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--group", choices=GROUPS, action="append", help="default: all")
    parser.add_argument("--side-by-side", action="store_true", help="servers up at once")
    parser.add_argument(
        "--body", choices=("valid", "refused"), action="append", help="default: both"
    )
    parser.add_argument(
        "--seeds", type=int, help="side by side, once per hash seed and layout (medians per seed)"
    )
    parser.add_argument(
        "--baseline", type=Path, help="a checkout whose gateway sides run beside this one's"
    )
    args = parser.parse_args()
    if not shutil.which("wrk") or not shutil.which("taskset"):
        print("needs wrk and taskset (apt-get install -y wrk util-linux)", file=sys.stderr)
        return 1
    groups = [GROUPS[name] for name in args.group or GROUPS]
    if args.baseline:
        CHECKOUTS["baseline"] = args.baseline.resolve()
        groups = [
            (*names, *(f"{name}@baseline" for name in names if "-gateway" in name))
            for names in groups
        ]
    # SQLite in memory-backed /dev/shm where there is one: the disk's fsync jitter would
    # otherwise drown the gateway's cost in noise.
    shm = "/dev/shm" if os.path.isdir("/dev/shm") else None
    with tempfile.TemporaryDirectory(dir=shm) as tmp:
        workdir = Path(tmp)
        scripts = {}
        for name, body in (("valid", BODY), ("refused", LIGHT_BODY)):
            scripts[name] = workdir / f"{name}.lua"
            scripts[name].write_text(
                f'wrk.method = "POST"\nwrk.body = {json.dumps(body)}\n'
                'wrk.headers["Content-Type"] = "application/json"\n'
            )
        titles = {
            "valid": f"POST {PATH} (evaluated, stored)",
            "refused": f"POST {PATH} with empty text (400 before the database)",
        }
        for name, workload in scripts.items():
            if args.body and name not in args.body:
                continue
            print(
                f"\n{titles[name]}, wrk -t1 -c32 -d{args.seconds}s, median of {args.rounds} rounds"
                + (f" per seed, {args.seeds} seeds" if args.seeds else "")
            )
            columns = (("req/s", 8), ("min-max", 11), ("p50 ms", 7), ("p99 ms", 7))
            head = " ".join(f"{title:>{width}}" for title, width in columns)
            print(f"{'variant':<20} {head}  ratio CPU us/req")
            for names in groups:
                if args.seeds:
                    runs = measure_seeded(
                        names, args.seconds, args.rounds, workdir, workload, args.seeds
                    )
                elif args.side_by_side:
                    runs = measure_side_by_side(names, args.seconds, args.rounds, workdir, workload)
                else:
                    runs = measure_group(names, args.seconds, args.rounds, workdir, workload)
                _print_group(names, runs, "seed" if args.seeds else "round")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
