"""Issue 12, defect 4: a batch's answer is bounded per row, and a process works on at most
MAX_CONCURRENT_BATCHES batches at once (more get 503 with Retry-After), on every target."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable

import pytest

from core.settings import Settings
from dev.requirement_rows import requirements_table
from tests.utils.engines import FakeEngine
from tests.utils.targets import TARGET_NAMES, Reply, Target, build_target

EVALUATE = "/api/v1/batch/evaluate"
ROWS = 100
# A row of ~1 KB answers at most 9 criteria x 5 findings of <= 250 bytes (a message quotes
# at most one sentence: ~11 KB), ~3 KB of scores, feedback and suggestions, and the row
# again in mergedMarkdown (~1 KB). Before the bound the same rows took 20.6 KB each (35 KB
# at most), and the 45 KB.
MAX_BYTES_PER_ROW = 16_000


@pytest.mark.parametrize("name", TARGET_NAMES)
def test_batch_evaluate_answer_is_bounded_per_row(
    make_settings: Callable[..., Settings], name: str
) -> None:
    target = build_target(name, make_settings())
    markdown = requirements_table(ROWS)  # ~1 KB per row, EN and DE
    reply = target.request("POST", EVALUATE, json={"markdown": markdown})
    assert reply.status == 200
    assert len(json.dumps(reply.body, ensure_ascii=False).encode()) < MAX_BYTES_PER_ROW * ROWS
    assert len(reply.body["items"]) == ROWS
    details = [d for item in reply.body["items"].values() for d in item["evaluation"]["details"]]
    assert max(len(d["findings"]) for d in details) <= 5
    assert any(d.get("findingsOmitted", 0) > 0 for d in details)  # the rest are counted


def _send_batch(target: Target, text: str) -> Reply:
    markdown = f"| id | requirementText |\n|---|---|\n| R1 | {text} |\n"
    return target.request("POST", EVALUATE, json={"markdown": markdown})


@pytest.mark.parametrize("name", TARGET_NAMES)
def test_batch_refused_with_503_when_slots_are_full(
    make_settings: Callable[..., Settings], fake_engine: FakeEngine, name: str
) -> None:
    fake_engine.hold = lambda text: "HOLD" in text
    target = build_target(name, make_settings(max_concurrent_batches=1))
    first: list[Reply] = []
    running = threading.Thread(
        target=lambda: first.append(_send_batch(target, "The system shall HOLD."))
    )
    running.start()
    try:
        for _ in range(500):  # until the first batch is inside its slot, at the engine
            if fake_engine.calls:
                break
            threading.Event().wait(0.01)
        refused = _send_batch(target, "The system shall start within 2 s.")
    finally:
        fake_engine.gate.set()
        running.join(timeout=30)
    assert refused.status == 503
    assert refused.headers["Retry-After"] == "10"
    assert set(refused.body) <= {"error", "message", "details", "requestId"}
    assert refused.body["error"] == "unavailable"
    assert refused.body["requestId"] == refused.headers["X-Request-Id"]
    assert [reply.status for reply in first] == [200]
    assert _send_batch(target, "The system shall start within 2 s.").status == 200  # freed
