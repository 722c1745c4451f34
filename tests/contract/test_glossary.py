"""context.glossary and GLOSSARY_PATH on the shared routes: v1, v2 and the gateway forced
to each give the same JSON, and the same 400 for a glossary over the limits."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from core.settings import Settings
from tests.contract.cases import EVALUATE, Case
from tests.utils.targets import TARGET_NAMES, Reply, Target, build_target, normalized

REFINE = "/api/v1/validate/refine"
BATCH_EVALUATE = "/api/v1/batch/evaluate"
GLOSSARY_EN = [
    {"term": "responsive", "definition": "p95 < 200 ms"},
    {"term": "asap", "kind": "vague_term", "definition": "a deadline in working hours"},
]
GLOSSARY_DE = [
    {"term": "reaktionsschnell~", "language": "de"},
    {"term": "baldmöglichst", "kind": "vague_term", "definition": "innerhalb von 2 Arbeitstagen"},
]
TABLE = (
    "| id | requirementText | context |\n|---|---|---|\n"
    '| R1 | The UI shall be responsive. | {"glossary": [{"term": "responsive"}]} |\n'
    '| R2 | Das System muss baldmöglichst antworten. | {"language": "de", "glossary": '
    '[{"term": "baldmöglichst", "kind": "vague_term"}]} |\n'
)
BAD_TABLE = (
    "| id | requirementText | context |\n|---|---|---|\n"
    '| R1 | The UI shall be responsive. | {"glossary": [{"term": ""}]} |\n'
)


def _evaluation(text: str, glossary: Any, language: str | None = None) -> dict[str, Any]:
    context: dict[str, Any] = {"glossary": glossary}
    if language:
        context["language"] = language
    return {"requirementText": text, "context": context}


OK_CASES = [
    Case(
        "evaluate-glossary-en",
        "POST",
        EVALUATE,
        200,
        json=_evaluation("The UI shall be responsive and reply asap.", GLOSSARY_EN),
    ),
    Case(
        "evaluate-glossary-de",
        "POST",
        EVALUATE,
        200,
        json=_evaluation(
            "Die reaktionsschnelle Oberfläche muss baldmöglichst antworten.", GLOSSARY_DE, "de"
        ),
    ),
    Case(
        "batch-evaluate-row-glossary",
        "POST",
        BATCH_EVALUATE,
        200,
        content=TABLE.encode(),
        headers={"Content-Type": "text/markdown"},
    ),
]
BAD_CASES = [
    Case(name, "POST", EVALUATE, 400, "invalid_request", json=_evaluation("The UI shall be.", g))
    for name, g in [
        ("glossary-too-many", [{"term": f"t{n}"} for n in range(201)]),
        ("glossary-term-empty", [{"term": ""}]),
        ("glossary-term-too-long", [{"term": "t" * 101}]),
        ("glossary-definition-too-long", [{"term": "t", "definition": "d" * 501}]),
        ("glossary-unknown-kind", [{"term": "t", "kind": "vague"}]),
        ("glossary-bad-language", [{"term": "t", "language": "fr"}]),
        ("glossary-duplicate-term", [{"term": "T"}, {"term": "t"}]),
        ("glossary-not-a-list", {"term": "t"}),
    ]
] + [
    Case(
        "batch-row-glossary-bad",
        "POST",
        BATCH_EVALUATE,
        400,
        "invalid_request",
        content=BAD_TABLE.encode(),
        headers={"Content-Type": "text/markdown"},
    )
]


def _send(target: Target, case: Case) -> Reply:
    return target.request(
        case.method, case.path, json=case.json, content=case.content, headers=case.headers
    )


def _findings(body: dict[str, Any]) -> set[tuple[str, str]]:
    return {(f["code"], f["fragment"]) for d in body["details"] for f in d["findings"]}


@pytest.mark.parametrize("case", OK_CASES + BAD_CASES, ids=lambda case: case.name)
def test_glossary_same_json_on_every_target(all_targets: list[Target], case: Case) -> None:
    replies = {target.name: _send(target, case) for target in all_targets}
    reference = normalized(replies["flask-v1"].body)
    for name, reply in replies.items():
        assert reply.status == case.status, (name, reply.body)
        assert normalized(reply.body) == reference, f"{name} differs from flask-v1"
    if case.error:
        assert reference["error"] == case.error


@pytest.mark.parametrize("case", BAD_CASES[:-1], ids=lambda case: case.name)
def test_create_evaluation_bad_glossary_names_field(target: Target, case: Case) -> None:
    body = _send(target, case).body
    assert body["details"][0]["field"].startswith("context.glossary")


def test_create_evaluation_glossary_applies(target: Target) -> None:
    text = "The UI shall be responsive and reply asap."
    plain = _findings(target.request("POST", EVALUATE, json={"requirementText": text}).body)
    with_glossary = _findings(target.request("POST", EVALUATE, json=OK_CASES[0].json).body)
    assert ("vague_term", "responsive") in plain and ("vague_term", "asap") not in plain
    assert ("vague_term", "responsive") not in with_glossary
    assert ("vague_term", "asap") in with_glossary


def test_batch_evaluate_bad_row_glossary_names_line(target: Target) -> None:
    body = _send(target, BAD_CASES[-1]).body
    assert body["details"] == [
        {"line": 3, "message": "context.glossary.0.term: String should have at least 1 character"}
    ]


@pytest.fixture
def file_targets(make_settings: Callable[..., Settings], tmp_path: Path) -> list[Target]:
    """Every target with GLOSSARY_PATH set to a small project glossary."""
    path = tmp_path / "glossary.csv"
    path.write_text(
        "# project terms\nterm,kind,definition,language\n"
        "responsive,defined,p95 < 200 ms,\nasap,vague_term,a deadline in hours,en\n",
        encoding="utf-8",
    )
    settings = make_settings(glossary_path=path)
    return [build_target(name, settings) for name in TARGET_NAMES]


def test_glossary_file_same_json_on_every_target(file_targets: list[Target]) -> None:
    body = {"requirementText": "The UI shall be responsive and reply asap."}
    replies = {t.name: t.request("POST", EVALUATE, json=body) for t in file_targets}
    reference = normalized(replies["flask-v1"].body)
    assert _findings(reference) >= {("vague_term", "asap")}
    assert ("vague_term", "responsive") not in _findings(reference)
    for name, reply in replies.items():
        assert reply.status == 200 and normalized(reply.body) == reference, name


@pytest.mark.parametrize("name", ["fastapi-v2", "gateway-v1"])
def test_refine_glossary_applies_and_limits(name: str, contract_settings: Settings) -> None:
    """validate/refine is v2-only: the gateway serves it from v2 whatever the flags say."""
    target = build_target(name, contract_settings)
    text = "The UI shall be responsive."
    plain = target.request("POST", REFINE, json={"requirementText": text})
    good = target.request("POST", REFINE, json=_evaluation(text, GLOSSARY_EN))
    assert (plain.status, good.status) == (200, 200)
    assert good.body["iterations"][0]["score"] > plain.body["iterations"][0]["score"]
    assert good.body["finalText"] == text
    bad = target.request("POST", REFINE, json=_evaluation("The UI shall be.", [{"term": "!"}]))
    assert (bad.status, bad.body["error"]) == (400, "invalid_request")
    assert bad.body["details"][0]["field"] == "context.glossary.0.term"
