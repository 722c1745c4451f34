"""Instructions a Python script executes, over every thread, counted by callgrind.

callgrind's `--toggle-collect` works per thread, so it misses what worker threads do (the
WSGI bridge's, anyio's, the group writer's). The benches count a whole run instead, once
with the measured requests and once without, and take the difference.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path


def instructions(script: str, args: Sequence[str]) -> int:
    """Every instruction of `python script *args` under callgrind, all threads summed."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        command = [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={out}",
            sys.executable,
            script,
            *args,
        ]
        subprocess.run(command, check=True, capture_output=True)
        found = re.search(rb"^(?:summary|totals): (\d+)", out.read_bytes(), re.M)
        if found is None:
            raise SystemExit(f"callgrind wrote no totals for {script}")
        return int(found[1])


def per_request(script: str, args: Sequence[str], requests_flag: str, n: int) -> float:
    """Instructions per request: a run with `n` requests minus one with none, over `n`."""
    with_n = instructions(script, [*args, f"{requests_flag}={n}"])
    without = instructions(script, [*args, f"{requests_flag}=0"])
    return (with_n - without) / n
