"""The shared-route cases every variant must answer identically (DESIGN §6).

Limits assume the contract settings: 8 KiB bodies, 5 batch items, 500 characters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str
    status: int
    error: str | None = None
    json: Any = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


GERMAN_SEED = {
    "requirementText": "Das System muss innerhalb von 2 Sekunden reagieren.",
    "context": {"language": "de"},
    "criteriaKeys": ["clarity", "testability", "measurability"],
}
EVALUATE = "/api/v1/evaluations"
BATCH = "/api/v1/validate/batch"

CASES = [
    Case("criteria", "GET", "/api/v1/criteria", 200),
    Case("criteria-german", "GET", "/api/v1/criteria?language=de", 200),
    Case("criteria-bad-language", "GET", "/api/v1/criteria?language=fr", 400, "invalid_request"),
    Case("evaluate-german-seed", "POST", EVALUATE, 200, json=GERMAN_SEED),
    Case(
        "evaluate-english-vague",
        "POST",
        EVALUATE,
        200,
        json={"requirementText": "The system should be fast and user-friendly."},
    ),
    Case(
        "evaluate-all-criteria",
        "POST",
        EVALUATE,
        200,
        json={"requirementText": "The system shall log every failed login within 1 second."},
    ),
    Case(
        "evaluate-extra-context",
        "POST",
        EVALUATE,
        200,
        json={
            "requirementText": "Das System muss 99,9 % verfügbar sein.",
            "context": {"language": "de", "project": "x"},
        },
    ),
    Case(
        "evaluate-unknown-criteria",
        "POST",
        EVALUATE,
        400,
        "invalid_request",
        json={
            "requirementText": "The system shall start.",
            "criteriaKeys": ["clarity", "beauty", "x"],
        },
    ),
    Case(
        "evaluate-empty-text",
        "POST",
        EVALUATE,
        400,
        "invalid_request",
        json={"requirementText": ""},
    ),
    Case(
        "evaluate-blank-text",
        "POST",
        EVALUATE,
        400,
        "invalid_request",
        json={"requirementText": "  \n\t "},
    ),
    Case(
        "evaluate-too-long",
        "POST",
        EVALUATE,
        400,
        "invalid_request",
        json={"requirementText": "a" * 501},
    ),
    Case("evaluate-missing-text", "POST", EVALUATE, 400, "invalid_request", json={"context": {}}),
    Case(
        "evaluate-text-not-string",
        "POST",
        EVALUATE,
        400,
        "invalid_request",
        json={"requirementText": 42},
    ),
    Case(
        "evaluate-bad-language",
        "POST",
        EVALUATE,
        400,
        "invalid_request",
        json={"requirementText": "The system shall start.", "context": {"language": "fr"}},
    ),
    Case("evaluate-array-body", "POST", EVALUATE, 400, "invalid_request", json=["x"]),
    Case(
        "evaluate-invalid-json",
        "POST",
        EVALUATE,
        400,
        "invalid_request",
        content=b'{"requirementText": ',
        headers={"Content-Type": "application/json"},
    ),
    Case(
        "evaluate-not-utf8",
        "POST",
        EVALUATE,
        400,
        "invalid_request",
        content=b"\xff\xfe\x00",
        headers={"Content-Type": "application/json"},
    ),
    Case(
        "evaluate-wrong-content-type",
        "POST",
        EVALUATE,
        415,
        "unsupported_media_type",
        content=b"requirementText=x",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    ),
    Case(
        "evaluate-no-content-type",
        "POST",
        EVALUATE,
        415,
        "unsupported_media_type",
        content=b'{"requirementText": "x"}',
    ),
    Case(
        "evaluate-too-large",
        "POST",
        EVALUATE,
        413,
        "payload_too_large",
        content=b'{"requirementText": "' + b"a" * 9000 + b'"}',
        headers={"Content-Type": "application/json"},
    ),
    Case("evaluate-wrong-method", "GET", EVALUATE, 405, "method_not_allowed"),
    Case("unknown-route", "GET", "/api/v1/nothing-here", 404, "not_found"),
    Case(
        "batch-list",
        "POST",
        BATCH,
        200,
        json=["The system shall start within 5 seconds.", "Das System sollte schnell sein."],
    ),
    Case(
        "batch-object-with-suggestions",
        "POST",
        BATCH,
        200,
        json={"items": ["The UI should be intuitive."], "includeSuggestions": True},
    ),
    Case("batch-empty", "POST", BATCH, 400, "invalid_request", json=[]),
    Case(
        "batch-too-many", "POST", BATCH, 400, "invalid_request", json=["The system shall run."] * 6
    ),
    Case("batch-item-not-string", "POST", BATCH, 400, "invalid_request", json=["ok text", 3]),
    Case("batch-item-blank", "POST", BATCH, 400, "invalid_request", json=["ok text", " "]),
    Case("batch-item-too-long", "POST", BATCH, 400, "invalid_request", json=["b" * 501]),
    Case("batch-missing-items", "POST", BATCH, 400, "invalid_request", json={"include": True}),
    Case(
        "batch-wrong-content-type",
        "POST",
        BATCH,
        415,
        "unsupported_media_type",
        content=b"[]",
        headers={"Content-Type": "text/plain"},
    ),
]

DECISION = "/api/v1/corrections/decision"
DECISION_BATCH = "/api/v1/corrections/decision/batch"
VAGUE = "The system should be fast."
ACCEPTED = {
    "requirementText": VAGUE,
    "suggestion": "The system shall answer within 2 seconds.",
    "findingCode": "vague_term",
    "criterion": "measurability",
    "decision": "accepted",
}
REJECTED = {"requirementChecksum": "ab" * 32, "suggestionId": "REQ_1#2", "decision": "rejected"}


def _decision(name: str, body: Any, status: int = 400, path: str = DECISION) -> Case:
    return Case(name, "POST", path, status, None if status == 200 else "invalid_request", body)


CASES += [
    _decision("decision-accepted-by-text", ACCEPTED, 200),
    _decision("decision-rejected-by-checksum", REJECTED, 200),
    _decision("decision-upper-case-checksum", {**REJECTED, "requirementChecksum": "AB" * 32}, 200),
    _decision("decision-with-variant", {**REJECTED, "variant": "v2"}, 200),
    _decision("decision-unknown-decision", {**ACCEPTED, "decision": "maybe"}),
    _decision("decision-missing-decision", {"requirementText": VAGUE}),
    _decision("decision-text-and-checksum", {**ACCEPTED, "requirementChecksum": "ab" * 32}),
    _decision("decision-no-requirement", {"decision": "accepted", "findingCode": "vague_term"}),
    _decision("decision-short-checksum", {**REJECTED, "requirementChecksum": "ab" * 31}),
    _decision("decision-suggestion-twice", {**ACCEPTED, "suggestionChecksum": "cd" * 32}),
    _decision("decision-blank-text", {**ACCEPTED, "requirementText": " \n"}),
    _decision("decision-text-too-long", {**ACCEPTED, "requirementText": "a" * 501}),
    _decision("decision-unknown-criterion", {**ACCEPTED, "criterion": "beauty"}),
    _decision("decision-bad-finding-code", {**ACCEPTED, "findingCode": "Vague Term"}),
    _decision("decision-suggestion-id-with-text", {**REJECTED, "suggestionId": "shall be fast"}),
    _decision("decision-unknown-variant", {**REJECTED, "variant": "v3"}),
    Case(
        "decision-unknown-evaluation",
        "POST",
        DECISION,
        404,
        "not_found",
        {**REJECTED, "evaluationId": "no-such-evaluation"},
    ),
    _decision("decision-array-body", [ACCEPTED]),
    _decision("decision-batch-object", {"items": [ACCEPTED, REJECTED]}, 200, DECISION_BATCH),
    _decision("decision-batch-bare-list", [REJECTED] * 5, 200, DECISION_BATCH),
    _decision("decision-batch-empty", [], path=DECISION_BATCH),
    _decision("decision-batch-too-many", [REJECTED] * 6, path=DECISION_BATCH),
    _decision("decision-batch-bad-item", [REJECTED, {"decision": "no"}], path=DECISION_BATCH),
    _decision(
        "decision-batch-item-too-long",
        [{**ACCEPTED, "requirementText": "b" * 501}],
        path=DECISION_BATCH,
    ),
    Case(
        "decision-batch-unknown-evaluation",
        "POST",
        DECISION_BATCH,
        404,
        "not_found",
        [REJECTED, {**REJECTED, "evaluationId": "gone"}],
    ),
    Case(
        "decision-wrong-content-type",
        "POST",
        DECISION,
        415,
        "unsupported_media_type",
        content=b"decision=accepted",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    ),
]
