"""Server entry points freeze what start-up built (core.runtime.freeze_startup_heap): the
collector's full passes then skip the ~280,000 objects of the modules, models and apps,
whose scan was a 330 ms pause inside a request (docs/benchmarks.md, "Collector pauses")."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import gc, importlib, sys
module = importlib.import_module(sys.argv[1])
assert module.app is not None
print(gc.get_freeze_count(), len(gc.get_objects()))
"""


@pytest.mark.parametrize("module", ["gateway.main", "app_v1.wsgi", "app_v2.server"])
def test_entry_point_freezes_its_start_up_objects(module: str, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "SQLITE_PATH": str(tmp_path / "reqgate.db"),
        "QDRANT_PATH": str(tmp_path / "qdrant"),
        "ADMIN_TOKEN": "heap-test-token-0123456789",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, module],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    frozen, tracked = (int(n) for n in done.stdout.split())
    assert frozen > 50_000  # the start-up heap, out of the collector's generations
    assert tracked < frozen / 10  # what is left to scan is what came after
