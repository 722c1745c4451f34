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
