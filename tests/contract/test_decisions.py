"""Decisions on suggestions (accepted or rejected) on v1, v2 and the gateway forced to each."""

from __future__ import annotations

from tests.contract.cases import ACCEPTED, DECISION, DECISION_BATCH, REJECTED
from tests.utils.targets import Target


def test_create_decision_retry_with_same_request_id_answers_same_id(target: Target) -> None:
    headers = {"X-Request-Id": "decide-1"}
    first = target.request("POST", DECISION, json=ACCEPTED, headers=headers).body
    again = target.request("POST", DECISION, json=ACCEPTED, headers=headers).body
    other = target.request("POST", DECISION, json=REJECTED, headers=headers).body
    assert first == again and first["status"] == "saved"
    assert other["decisionId"] != first["decisionId"]


def test_create_decision_batch_answers_one_id_per_item_in_order(target: Target) -> None:
    items = [ACCEPTED, REJECTED, ACCEPTED]
    body = target.request("POST", DECISION_BATCH, json={"items": items}).body
    assert body["count"] == 3 and len({item["decisionId"] for item in body["items"]}) == 3
    assert {item["status"] for item in body["items"]} == {"saved"}


def test_create_decision_batch_names_the_bad_item_fields(target: Target) -> None:
    reply = target.request(
        "POST",
        DECISION_BATCH,
        json=[REJECTED, {**REJECTED, "decision": "no"}, {**ACCEPTED, "requirementText": "c" * 501}],
    )
    assert reply.status == 400
    assert [d["field"] for d in reply.body["details"]] == ["items.1.decision"]
    too_long = target.request(
        "POST", DECISION_BATCH, json=[{**ACCEPTED, "requirementText": "c" * 501}]
    )
    assert too_long.body["details"]["field"] == "items.0.requirementText"


def test_create_decision_linked_to_a_stored_evaluation(target: Target) -> None:
    evaluation = target.request(
        "POST", "/api/v1/evaluations", json={"requirementText": ACCEPTED["requirementText"]}
    ).body
    linked = {**ACCEPTED, "evaluationId": evaluation["evaluationId"]}
    assert target.request("POST", DECISION, json=linked).status == 200
    reply = target.request("POST", DECISION_BATCH, json=[linked, {**REJECTED, "evaluationId": "x"}])
    assert reply.status == 404 and reply.body["details"] == {"evaluationIds": ["x"]}
