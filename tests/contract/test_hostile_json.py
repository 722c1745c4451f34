"""Hostile JSON (issue 12, defect 3): deep nesting, huge integers and lone surrogates are a
400 in the error shape on v1, v2 and the gateway, never a 500; a stream always ends."""

from __future__ import annotations

import json

import pytest

from tests.utils.targets import Target

# Deeper than the JSON parser recurses, smaller than the contract targets' 8 KiB body limit.
DEEP = ("[" * 3000 + "]" * 3000).encode()
HUGE_INT = b'{"requirementText": ' + b"1" * 5000 + b"}"
SURROGATE = b'{"requirementText": "The system \\ud800 shall log."}'


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/evaluations", DEEP),
        ("/api/v1/evaluations", HUGE_INT),
        ("/api/v1/evaluations", SURROGATE),
        ("/api/v1/validate/batch", DEEP),
        ("/api/v1/validate/batch", b'["ok", "The system \\ud800 shall log."]'),
        ("/api/v1/corrections/text", b'{"originalText": "a \\udfff", "text": "b"}'),
    ],
    ids=["deep", "huge-int", "surrogate", "batch-deep", "batch-surrogate", "correction"],
)
def test_hostile_json_is_a_400_in_the_error_shape(target: Target, path: str, body: bytes) -> None:
    reply = target.request("POST", path, content=body, headers={"Content-Type": "application/json"})
    assert reply.status == 400, reply.body
    assert reply.body["error"] == "invalid_request"
    assert set(reply.body) <= {"error", "message", "details", "requestId"}


def test_stream_with_a_lone_surrogate_is_refused_before_streaming(target: Target) -> None:
    body = b'["ok", "The system \\ud800 shall log."]'
    reply = target.request(
        "POST",
        "/api/v1/validate/batch/stream",
        content=body,
        headers={"Content-Type": "application/json"},
    )
    assert reply.status == 400, reply.body
    assert json.dumps(reply.body)  # a JSON error body, not a cut stream


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/corrections/text", {"originalText": "a", "text": "b", "evaluationId": "x\u0000"}),
        (
            "/api/v1/corrections/apply",
            {
                "originalText": "The system should log.",
                "selectedSuggestions": [{"correction": "The system shall log."}],
                "evaluationId": "\u0000",
            },
        ),
    ],
    ids=["correction-text", "correction-apply"],
)
def test_nul_character_is_a_400_before_storage(
    target: Target, path: str, body: dict[str, object]
) -> None:
    """Issue 12, defect 10: PostgreSQL cannot store NUL in text (psycopg DataError, a 500);
    every variant refuses it at the edge, on every database."""
    reply = target.request("POST", path, json=body)
    assert reply.status == 400, reply.body
    assert reply.body["error"] == "invalid_request"
