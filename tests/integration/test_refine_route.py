"""POST /api/v1/validate/refine: v2 only (the gateway must classify the path as v2-only)."""

from __future__ import annotations

import pytest

import gateway.app
from core.settings import Settings
from tests.conftest import build_target
from tests.utils.targets import AsgiTarget

REFINE = "/api/v1/validate/refine"


def test_refine_route_returns_each_iteration(contract_settings: Settings) -> None:
    body = (
        build_target("fastapi-v2", contract_settings)
        .request(
            "POST",
            REFINE,
            json={
                "requirementText": "The system should be fast and user-friendly.",
                "maxIterations": 2,
            },
        )
        .body
    )
    assert body["stopReason"] in {
        "passed",
        "max_iterations",
        "no_change",
        "placeholders",
        "needs_input",
    }
    assert [i["iteration"] for i in body["iterations"]] == list(range(len(body["iterations"])))
    assert body["finalText"] == body["iterations"][-1]["text"]
    assert body["score"] == body["iterations"][-1]["score"]
    assert set(body["iterations"][0]) == {
        "iteration",
        "text",
        "evaluationId",
        "score",
        "verdict",
        "applied",
        "placeholders",
    }


@pytest.mark.parametrize(
    "payload",
    [
        {"requirementText": "x", "maxIterations": 0},
        {"requirementText": "x", "maxIterations": 11},
        {"requirementText": " "},
        {"requirementText": "a" * 501},
        {"maxIterations": 2},
    ],
)
def test_refine_route_bad_input_400(
    contract_settings: Settings, payload: dict[str, object]
) -> None:
    reply = build_target("fastapi-v2", contract_settings).request("POST", REFINE, json=payload)
    assert (reply.status, reply.body["error"]) == (400, "invalid_request")


def test_refine_route_not_on_v1(contract_settings: Settings) -> None:
    reply = build_target("flask-v1", contract_settings).request(
        "POST", REFINE, json={"requirementText": "x"}
    )
    assert reply.status == 404


@pytest.mark.parametrize("use_v2", [False, True], ids=["flag-off", "flag-on"])
def test_refine_route_through_gateway_is_v2_only(contract_settings: Settings, use_v2: bool) -> None:
    settings = contract_settings.model_copy(update={"feature_flag_use_v2": use_v2})
    reply = AsgiTarget("gateway", gateway.app.create_app(settings)).request(
        "POST", REFINE, json={"requirementText": "The system should be fast.", "maxIterations": 1}
    )
    assert reply.status == 200, reply.body
    assert reply.headers["X-Variant"] == "v2"
    assert reply.headers["X-Variant-Reason"] == "v2-only"
    assert reply.body["iterations"]
