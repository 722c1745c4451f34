"""Contract cases of the batch, stream, suggestion, correction and demo routes (DESIGN §6).

Limits assume the contract settings (8 KiB bodies, 5 items or rows, 500 characters). `spec`
names the file at REQUIREMENTS_MD_PATH: small (3 rows), big (6 rows), missing, malformed.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.contract.cases import Case

SMALL_TABLE = """# Spec

| id | requirementText | context |
|----|-----------------|---------|
| R1 | The system shall respond within 2 seconds. | {"language": "en"} |
| R2 | Das System sollte schnell sein. | {"language": "de"} |
| R3 | The system should be fast and user-friendly. | |
"""
SPECS: dict[str, str | None] = {
    "small": SMALL_TABLE,
    "big": "| id | requirementText |\n|---|---|\n"
    + "".join(f"| R{n} | The system shall do thing {n}. |\n" for n in range(6)),
    "missing": None,
    "malformed": "| id | requirementText |\n|---|---|\n| R1 | ok | extra |\n",
}
MD = {"Content-Type": "text/markdown; charset=utf-8"}
JSON = {"Content-Type": "application/json"}


@dataclass(frozen=True)
class BatchCase(Case):
    spec: str = "small"


EVALUATE, SUGGEST, REWRITE = (
    f"/api/v1/batch/{mode}" for mode in ("evaluate", "suggest", "rewrite")
)
STREAM = "/api/v1/validate/batch/stream"
VSUGGEST = "/api/v1/validate/suggest"
APPLY = "/api/v1/corrections/apply"
TEXT = "/api/v1/corrections/text"
DEMO = "/api/v1/demo/requirements"
ATOM = {
    "correction": "shall",
    "original_fragment": "should",
    "criteria": {"testability": False},
    "acceptance_criteria": ["uses shall"],
    "metrics": [{"name": "latency", "op": "<=", "value": 2, "unit": "s"}],
    "notes": "weak modal",
}
SPLIT_ATOM = {"correction": "and", "original_fragment": "and", "criteria": {"atomicity": False}}
SPLIT_TEXT = "The system shall export reports and send them by e-mail."


def _apply_one(name: str, atom: dict[str, object], status: int) -> BatchCase:
    """corrections/apply of one atom to the text it fixes: taken, or a 400 for the atom."""
    body = {"originalText": "The system should be fast.", "selectedSuggestions": [atom]}
    error = "invalid_request" if status == 400 else None
    return BatchCase(name, "POST", APPLY, status, error, json=body)


BATCH_CASES = [
    BatchCase("batch-evaluate-file", "POST", EVALUATE, 200),
    BatchCase("batch-suggest-file", "POST", SUGGEST, 200),
    BatchCase("batch-rewrite-file", "POST", REWRITE, 200),
    BatchCase("batch-evaluate-empty-json-uses-file", "POST", EVALUATE, 200, json={}),
    BatchCase(
        "batch-evaluate-json-markdown",
        "POST",
        EVALUATE,
        200,
        json={"markdown": SMALL_TABLE, "criteriaKeys": ["clarity", "testability"]},
    ),
    BatchCase(
        "batch-rewrite-text-markdown",
        "POST",
        REWRITE,
        200,
        content=SMALL_TABLE.encode(),
        headers=MD,
    ),
    BatchCase(
        "batch-evaluate-escaped-cells",
        "POST",
        EVALUATE,
        200,
        json={
            "markdown": (
                "| ID | RequirementText | Owner |\n|:--|:--|--:|\n"
                "| `A-1` | The CLI shall accept `--format md\\|json` within 1 s. | team \\| ops |\n"
            )
        },
    ),
    BatchCase("batch-evaluate-missing-file", "POST", EVALUATE, 404, "not_found", spec="missing"),
    BatchCase("batch-suggest-missing-file", "POST", SUGGEST, 404, "not_found", spec="missing"),
    BatchCase("batch-rewrite-missing-file", "POST", REWRITE, 404, "not_found", spec="missing"),
    BatchCase(
        "batch-evaluate-malformed-file", "POST", EVALUATE, 400, "invalid_request", spec="malformed"
    ),
    BatchCase(
        "batch-evaluate-file-too-many-rows", "POST", EVALUATE, 400, "invalid_request", spec="big"
    ),
    BatchCase(
        "batch-evaluate-extra-cells",
        "POST",
        EVALUATE,
        400,
        "invalid_request",
        json={"markdown": "| id | requirementText |\n|---|---|\n| R1 | a | b |\n"},
    ),
    BatchCase(
        "batch-evaluate-no-table",
        "POST",
        EVALUATE,
        400,
        "invalid_request",
        json={"markdown": "just prose"},
    ),
    BatchCase(
        "batch-evaluate-no-text-column",
        "POST",
        SUGGEST,
        400,
        "invalid_request",
        json={"markdown": "| id | other |\n|---|---|\n| R1 | a |\n"},
    ),
    BatchCase(
        "batch-evaluate-duplicate-ids",
        "POST",
        REWRITE,
        400,
        "invalid_request",
        content=b"| id | requirementText |\n|---|---|\n| R1 | a |\n| R1 | b |\n",
        headers=MD,
    ),
    BatchCase(
        "batch-evaluate-empty-text",
        "POST",
        EVALUATE,
        400,
        "invalid_request",
        json={"markdown": "| id | requirementText |\n|---|---|\n| R1 |  |\n"},
    ),
    BatchCase(
        "batch-evaluate-bad-context-language",
        "POST",
        EVALUATE,
        400,
        "invalid_request",
        json={
            "markdown": "| id | requirementText | context |\n|---|---|---|\n"
            '| R1 | a | {"language": "fr"} |\n'
        },
    ),
    BatchCase(
        "batch-evaluate-row-too-long",
        "POST",
        EVALUATE,
        400,
        "invalid_request",
        json={"markdown": f"| id | requirementText |\n|---|---|\n| R1 | {'a' * 501} |\n"},
    ),
    BatchCase(
        "batch-evaluate-too-many-rows",
        "POST",
        EVALUATE,
        400,
        "invalid_request",
        json={"markdown": SPECS["big"]},
    ),
    BatchCase(
        "batch-evaluate-blank-markdown",
        "POST",
        EVALUATE,
        400,
        "invalid_request",
        json={"markdown": "  \n"},
    ),
    BatchCase(
        "batch-evaluate-markdown-not-string",
        "POST",
        EVALUATE,
        400,
        "invalid_request",
        json={"markdown": 42},
    ),
    BatchCase(
        "batch-evaluate-unknown-criteria",
        "POST",
        EVALUATE,
        400,
        "invalid_request",
        json={"markdown": SMALL_TABLE, "criteriaKeys": ["beauty"]},
    ),
    BatchCase(
        "batch-evaluate-markdown-not-utf8",
        "POST",
        EVALUATE,
        400,
        "invalid_request",
        content=b"| id | requirementText |\n|---|---|\n| R1 | \xff |\n",
        headers=MD,
    ),
    BatchCase(
        "batch-evaluate-invalid-json",
        "POST",
        EVALUATE,
        400,
        "invalid_request",
        content=b'{"markdown": ',
        headers=JSON,
    ),
    BatchCase(
        "batch-evaluate-wrong-content-type",
        "POST",
        EVALUATE,
        415,
        "unsupported_media_type",
        content=b"a=b",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    ),
    BatchCase(
        "batch-evaluate-too-large",
        "POST",
        EVALUATE,
        413,
        "payload_too_large",
        content=b"x" * 9000,
        headers=MD,
    ),
    BatchCase("batch-wrong-method", "GET", EVALUATE, 405, "method_not_allowed"),
    BatchCase("batch-unknown-mode", "POST", "/api/v1/batch/translate", 404, "not_found"),
    BatchCase("demo-requirements", "GET", DEMO, 200),
    BatchCase("demo-requirements-missing-file", "GET", DEMO, 404, "not_found", spec="missing"),
    BatchCase(
        "demo-requirements-malformed-file", "GET", DEMO, 400, "invalid_request", spec="malformed"
    ),
    BatchCase(
        "stream-ndjson",
        "POST",
        STREAM,
        200,
        json=["The system shall start in 2 s.", "Das System sollte schnell sein."],
    ),
    BatchCase(
        "stream-sse",
        "POST",
        STREAM,
        200,
        json={"items": ["The UI should be nice."], "includeSuggestions": True},
        headers={"Accept": "text/event-stream"},
    ),
    BatchCase(
        "stream-duplicates",
        "POST",
        STREAM,
        200,
        json=["The system shall log in.", "The system shall log in!"],
    ),
    BatchCase("stream-empty", "POST", STREAM, 400, "invalid_request", json=[]),
    BatchCase("stream-too-many", "POST", STREAM, 400, "invalid_request", json=["x"] * 6),
    BatchCase("stream-item-too-long", "POST", STREAM, 400, "invalid_request", json=["b" * 501]),
    BatchCase(
        "stream-wrong-content-type",
        "POST",
        STREAM,
        415,
        "unsupported_media_type",
        content=b"[]",
        headers={"Content-Type": "text/plain"},
    ),
    BatchCase(
        "suggest-list",
        "POST",
        VSUGGEST,
        200,
        json=["The system should be fast.", "Das System sollte schnell sein."],
    ),
    BatchCase("suggest-object", "POST", VSUGGEST, 200, json={"items": ["It may work."]}),
    BatchCase("suggest-empty", "POST", VSUGGEST, 400, "invalid_request", json={"items": []}),
    BatchCase("suggest-item-not-string", "POST", VSUGGEST, 400, "invalid_request", json=[1]),
    BatchCase(
        "apply-merge",
        "POST",
        APPLY,
        200,
        json={"originalText": "The system should be fast.", "selectedSuggestions": [ATOM]},
    ),
    BatchCase(
        "apply-split",
        "POST",
        APPLY,
        200,
        json={"originalText": SPLIT_TEXT, "selectedSuggestions": [SPLIT_ATOM], "mode": "split"},
    ),
    BatchCase(
        "apply-no-suggestions",
        "POST",
        APPLY,
        400,
        "invalid_request",
        json={"originalText": "The system should run.", "selectedSuggestions": []},
    ),
    BatchCase(
        "apply-bad-mode",
        "POST",
        APPLY,
        400,
        "invalid_request",
        json={"originalText": "x", "selectedSuggestions": [ATOM], "mode": "mix"},
    ),
    BatchCase(
        "apply-bad-atom",
        "POST",
        APPLY,
        400,
        "invalid_request",
        json={"originalText": "x", "selectedSuggestions": [{"notes": "no correction"}]},
    ),
    BatchCase(
        "apply-bad-metric-op",
        "POST",
        APPLY,
        400,
        "invalid_request",
        json={
            "originalText": "x",
            "selectedSuggestions": [{**ATOM, "metrics": [{"name": "n", "op": "~", "value": 1}]}],
        },
    ),
    _apply_one("apply-atom-with-finding-code", {**ATOM, "findingCode": "weak_modal"}, 200),
    _apply_one("apply-bad-finding-code", {**ATOM, "findingCode": "Weak modal"}, 400),
    BatchCase(
        "apply-blank-text",
        "POST",
        APPLY,
        400,
        "invalid_request",
        json={"originalText": " ", "selectedSuggestions": [ATOM]},
    ),
    BatchCase(
        "apply-text-too-long",
        "POST",
        APPLY,
        400,
        "invalid_request",
        json={"originalText": "c" * 501, "selectedSuggestions": [ATOM]},
    ),
    BatchCase(
        "apply-unknown-evaluation",
        "POST",
        APPLY,
        404,
        "not_found",
        json={"originalText": "x y", "selectedSuggestions": [ATOM], "evaluationId": "unknown"},
    ),
    BatchCase(
        "text-saved",
        "POST",
        TEXT,
        200,
        json={
            "originalText": "The system should be fast.",
            "text": "The system shall answer in 1 s.",
        },
    ),
    BatchCase(
        "text-missing-text", "POST", TEXT, 400, "invalid_request", json={"originalText": "x"}
    ),
    BatchCase(
        "text-blank", "POST", TEXT, 400, "invalid_request", json={"originalText": "x", "text": ""}
    ),
    BatchCase(
        "text-unknown-evaluation",
        "POST",
        TEXT,
        404,
        "not_found",
        json={"originalText": "x", "text": "y", "evaluationId": "nope"},
    ),
    BatchCase(
        "text-wrong-content-type",
        "POST",
        TEXT,
        415,
        "unsupported_media_type",
        content=b"x",
        headers={"Content-Type": "text/plain"},
    ),
]
