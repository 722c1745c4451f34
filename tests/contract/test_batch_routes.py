"""The contract of the batch routes on v1, v2 and the gateway forced to each."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from core.settings import Settings
from tests.contract.batch_cases import BATCH_CASES, SPECS, SPLIT_TEXT, BatchCase
from tests.utils.targets import TARGET_NAMES, Reply, Target, build_target, normalized

TargetFactory = Callable[[str, str], Target]


@pytest.fixture
def make_target(make_settings: Callable[..., Settings], tmp_path: Path) -> TargetFactory:
    """A target whose REQUIREMENTS_MD_PATH holds the named spec file (or nothing)."""

    def factory(name: str, spec: str) -> Target:
        path = tmp_path / f"{spec}.md"
        if SPECS[spec] is not None:
            path.write_text(SPECS[spec] or "", encoding="utf-8")
        settings = make_settings(
            max_body_bytes=8192,
            max_batch_items=5,
            max_requirement_chars=500,
            requirements_md_path=path,
        )
        return build_target(name, settings)

    return factory


def _events(reply: Reply) -> Any:
    """Stream bodies as a list of events (NDJSON lines or SSE data messages)."""
    if not isinstance(reply.body, str):
        return reply.body
    lines = [line.removeprefix("data: ") for line in reply.body.splitlines() if line.strip()]
    return [json.loads(line) for line in lines]


def _send(target: Target, case: BatchCase) -> Reply:
    return target.request(
        case.method, case.path, json=case.json, content=case.content, headers=case.headers
    )


@pytest.mark.parametrize("name", TARGET_NAMES)
@pytest.mark.parametrize("case", BATCH_CASES, ids=lambda case: case.name)
def test_batch_route_answers_status_and_shape(
    make_target: TargetFactory, name: str, case: BatchCase
) -> None:
    reply = _send(make_target(name, case.spec), case)
    assert reply.status == case.status, reply.body
    assert reply.headers["X-Request-Id"]
    if case.error:
        assert set(reply.body) <= {"error", "message", "details", "requestId"}
        assert reply.body["error"] == case.error
        assert reply.body["requestId"] == reply.headers["X-Request-Id"]
        assert "Traceback" not in str(reply.body)


@pytest.mark.parametrize("case", BATCH_CASES, ids=lambda case: case.name)
def test_batch_route_same_json_on_every_target(make_target: TargetFactory, case: BatchCase) -> None:
    replies = {name: _send(make_target(name, case.spec), case) for name in TARGET_NAMES}
    bodies = {name: normalized(_events(reply)) for name, reply in replies.items()}
    for name, body in bodies.items():
        assert replies[name].status == case.status
        assert body == bodies["flask-v1"], f"{name} differs from flask-v1"


@pytest.fixture(params=TARGET_NAMES)
def small(request: pytest.FixtureRequest, make_target: TargetFactory) -> Target:
    return make_target(request.param, "small")


def test_batch_evaluate_file_items_and_merged_markdown(small: Target) -> None:
    body = small.request("POST", "/api/v1/batch/evaluate").body
    assert list(body["items"]) == ["R1", "R2", "R3"] and body["errors"] == {}
    assert body["items"]["R2"]["line"] == 6
    assert body["items"]["R2"]["evaluation"]["language"] == "de"
    assert "suggestions" not in body["items"]["R1"]
    merged = body["mergedMarkdown"]
    assert merged.startswith("# Spec\n")
    assert "| id | requirementText | context | score | verdict |" in merged
    assert body["nearDuplicates"] == []


def test_batch_rewrite_adds_atoms_and_redefined_requirement(small: Target) -> None:
    body = small.request("POST", "/api/v1/batch/rewrite").body
    item = body["items"]["R3"]
    assert item["redefinedRequirement"] and item["redefinedRequirement"] != item.get("text")
    assert {
        "correction",
        "acceptance_criteria",
        "metrics",
        "criteria",
        "notes",
        "original_fragment",
        "findingCode",
    } == set(item["suggestions"][0])
    assert "| suggestions | redefinedRequirement |" in body["mergedMarkdown"]


def test_batch_missing_file_names_file_not_path(make_target: TargetFactory) -> None:
    body = make_target("fastapi-v2", "missing").request("POST", "/api/v1/batch/evaluate").body
    assert body["details"] == {"file": "missing.md"}


def test_batch_malformed_table_names_line(small: Target) -> None:
    markdown = "intro\n\n| id | requirementText |\n|---|---|\n| R1 | ok |\n| R2 | a | b |\n"
    body = small.request("POST", "/api/v1/batch/evaluate", json={"markdown": markdown}).body
    assert "line 6" in body["message"]
    assert body["details"] == [{"line": 6, "message": "3 cells but the header has 2 columns"}]


def test_stream_sse_events_and_end_line(small: Target) -> None:
    reply = small.request(
        "POST",
        "/api/v1/validate/batch/stream",
        json=["A.", "B."],
        headers={"Accept": "text/event-stream"},
    )
    assert reply.headers["Content-Type"].startswith("text/event-stream")
    assert reply.body.startswith("data: {") and reply.body.endswith("\n\n")
    events = _events(reply)
    assert [e["event"] for e in events] == ["item", "item", "end"]
    assert events[-1]["processed"] == 2 and events[-1]["failed"] == 0


def test_stream_ndjson_content_type(small: Target) -> None:
    reply = small.request("POST", "/api/v1/validate/batch/stream", json=["A."])
    assert reply.headers["Content-Type"].startswith("application/x-ndjson")
    assert [e["index"] for e in _events(reply) if e["event"] == "item"] == [0]


def test_apply_split_returns_one_item_per_requirement(small: Target) -> None:
    body = small.request(
        "POST",
        "/api/v1/corrections/apply",
        json={
            "originalText": SPLIT_TEXT,
            "mode": "split",
            "selectedSuggestions": [
                {"correction": "and", "original_fragment": "and", "criteria": {"atomicity": False}}
            ],
        },
    ).body
    assert [i["redefinedRequirement"] for i in body["items"]] == [
        "The system shall export reports.",
        "The system shall send them by e-mail.",
    ]
    assert len({i["rewrittenId"] for i in body["items"]}) == 2


def test_apply_links_existing_evaluation(small: Target) -> None:
    evaluation = small.request(
        "POST", "/api/v1/evaluations", json={"requirementText": "The system should run."}
    ).body
    for path, extra in (
        (
            "/api/v1/corrections/apply",
            {"selectedSuggestions": [{"correction": "shall", "original_fragment": "should"}]},
        ),
        ("/api/v1/corrections/text", {"text": "The system shall run."}),
    ):
        body = small.request(
            "POST",
            path,
            json={
                "originalText": "The system should run.",
                "evaluationId": evaluation["evaluationId"],
                **extra,
            },
        ).body
        assert body["evaluationId"] == evaluation["evaluationId"]


def test_demo_requirements_lists_table(small: Target) -> None:
    body = small.request("GET", "/api/v1/demo/requirements").body
    assert body["items"][1] == {
        "id": "R2",
        "requirementText": "Das System sollte schnell sein.",
        "context": {"language": "de"},
    }
    assert body["items"][2]["context"] == {}
