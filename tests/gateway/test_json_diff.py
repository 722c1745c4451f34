"""gateway/json_diff.py: where two answers differ, as paths and types only."""

from __future__ import annotations

from gateway.json_diff import Difference, differences, judgements, normalized


def test_normalized_drops_volatile_keys() -> None:
    assert normalized([{"requestId": 1, "a": {"durationMs": 2, "b": 3}}]) == [{"a": {"b": 3}}]


def test_equal_answers_have_no_differences() -> None:
    answer = {"score": 0.5, "details": [{"criterion": "clarity", "findings": []}]}
    assert differences(answer, answer, tolerance=0.0) == []


def test_numbers_are_equal_within_the_tolerance() -> None:
    assert differences({"score": 0.5}, {"score": 0.509}, tolerance=0.01) == []
    assert differences({"score": 0.5}, {"score": 0.52}, tolerance=0.01) == [
        Difference("$.score", "number", "number")
    ]


def test_a_boolean_is_no_number() -> None:
    assert differences({"passed": True}, {"passed": 1}, tolerance=1.0) == [
        Difference("$.passed", "boolean", "number")
    ]


def test_orderless_arrays_compare_as_multisets() -> None:
    a = {"findings": [{"code": "vague_term"}, {"code": "passive_voice"}]}
    b = {"findings": [{"code": "passive_voice"}, {"code": "vague_term"}]}
    assert differences(a, b, tolerance=0.0) == []
    # an ordered array's order counts
    assert differences({"items": [1, 2]}, {"items": [2, 1]}, tolerance=0.0) == [
        Difference("$.items[]", "number", "number")
    ]


def test_missing_fields_and_extra_elements_name_their_side() -> None:
    found = differences({"model": "a", "items": [1]}, {"items": [1, 2]}, tolerance=0.0)
    assert found == [
        Difference("$.items[]", "missing", "number"),
        Difference("$.model", "string", "missing"),
    ]


def test_keys_that_are_no_api_field_are_hidden() -> None:
    """A dict keyed by data (a term, an id) must not put that data into a path."""
    found = differences({"Geheimwort": 1}, {"Geheimwort": 2}, tolerance=0.0)
    assert found == [Difference("$.*", "number", "number")]


def test_judgements_pair_by_exact_path() -> None:
    answer = {"items": {"0": {"evaluation": {"verdict": "pass", "score": 0.9}}}}
    assert judgements(answer) == {"$.items.0.evaluation": ("pass", 0.9)}
