"""The LLM path end to end: dev/fake_llm.py on a free port, the gateway with MOCK_MODE=false.

Evaluations, suggestions (validate/suggest), rewrites (batch/rewrite) and merges and splits
(corrections/apply) go through the gateway forced to v1 and to v2: the LLM must answer each
(engine llm, the configured model, no fallback) and both variants must return the same JSON.
The core paths are checked to give the same answer again from a cold cache.
"""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

import gateway.app
from core import engines
from core.catalogue import CriterionInfo
from core.evaluation import judge
from core.settings import Settings
from dev.processes import free_port
from tests.conftest import SettingsFactory
from tests.utils.llm import configure_fake, fake_stats, leaked, reset_llm
from tests.utils.targets import AsgiTarget, normalized

pytestmark = pytest.mark.usefixtures("fake_llm")

EVALUATE = "/api/v1/evaluations"
SUGGEST = "/api/v1/validate/suggest"
REWRITE = "/api/v1/batch/rewrite"
APPLY = "/api/v1/corrections/apply"
CRITERIA = ["clarity", "testability", "measurability", "atomicity"]
ROOT = Path(__file__).parents[2]
GERMAN = "Das Zebra-Portal sollte schnell und benutzerfreundlich sein."


def _gateway(settings: Settings, variant: str) -> AsgiTarget:
    forced = settings.model_copy(update={"feature_flag_use_v2": variant == "v2"})
    return AsgiTarget(f"gateway-{variant}", gateway.app.create_app(forced))


def _evaluate(target: AsgiTarget, text: str) -> dict[str, Any]:
    reply = target.request(
        "POST", EVALUATE, json={"requirementText": text, "criteriaKeys": CRITERIA}
    )
    assert reply.status == 200, reply.body
    assert reply.headers["X-Variant"] == target.name.split("-")[1]
    return reply.body  # type: ignore[no-any-return]


@pytest.mark.parametrize("text", [GERMAN, "The portal should be fast and user-friendly."])
def test_evaluate_llm_same_json_on_v1_and_v2(
    llm_settings: Settings, text: str, caplog: pytest.LogCaptureFixture
) -> None:
    bodies = {}
    with caplog.at_level(logging.DEBUG):
        for variant in ("v1", "v2"):
            reset_llm()  # cold cache: each variant really asks the server
            bodies[variant] = normalized(_evaluate(_gateway(llm_settings, variant), text))
    assert bodies["v1"] == bodies["v2"]
    assert bodies["v1"]["engine"] == "llm" and bodies["v1"]["promptVersion"].startswith("v1-")
    assert "fallbackReason" not in bodies["v1"]
    assert any(d["findings"] for d in bodies["v1"]["details"])
    assert not leaked(caplog.records, text)


def _post_both(settings: Settings, path: str, **request: Any) -> dict[str, Any]:
    """The same request on the gateway forced to v1 and to v2, each with a cold LLM cache
    (so each variant really asks the server); both bodies must agree once normalized."""
    bodies = {}
    for variant in ("v1", "v2"):
        reset_llm()
        target = _gateway(settings, variant)
        reply = target.request("POST", path, **request)
        assert reply.status == 200, reply.body
        assert reply.headers["X-Variant"] == variant
        bodies[variant] = normalized(reply.body)
    assert bodies["v1"] == bodies["v2"]
    return bodies["v1"]  # type: ignore[no-any-return]


def _answered_by_llm(body: dict[str, Any], settings: Settings) -> None:
    assert (body["engine"], body["model"]) == ("llm", settings.openai_model)
    assert body["promptVersion"].startswith("v1-") and "fallbackReason" not in body


def test_suggest_route_llm_same_json_on_v1_and_v2(
    llm_settings: Settings, fake_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        body = _post_both(llm_settings, SUGGEST, json=[GERMAN, "The portal should be fast."])
    for key in ("REQ_1", "REQ_2"):
        _answered_by_llm(body["items"][key], llm_settings)
    atoms = body["items"]["REQ_1"]["suggestions"]
    assert {"sollte", "schnell"} <= {a["original_fragment"] for a in atoms}
    fast = next(a for a in atoms if a["original_fragment"] == "schnell")
    assert fast["correction"] == GERMAN.replace("schnell", "innerhalb von 2 Sekunden")
    assert "needsInput" not in fast and "question" not in fast
    assert any(a["metrics"] for a in atoms) and body["errors"] == {}
    # Each variant: one evaluation and one suggestion call per text.
    assert fake_stats(fake_url)["tasks"] == {"evaluate": 4, "suggest": 4}
    assert not leaked(caplog.records, GERMAN)


def test_batch_rewrite_route_llm_same_json_on_v1_and_v2(
    llm_settings: Settings, fake_url: str
) -> None:
    markdown = (
        "| id | requirementText | context |\n|---|---|---|\n"
        f'| R1 | {GERMAN} | {{"language": "de"}} |\n'
        "| R2 | The portal should be fast. | |\n"
    )
    body = _post_both(llm_settings, REWRITE, json={"markdown": markdown, "criteriaKeys": CRITERIA})
    assert body["errors"] == {}
    for key in ("R1", "R2"):
        item = body["items"][key]
        _answered_by_llm(item, llm_settings)
        assert item["evaluation"]["engine"] == "llm" and item["suggestions"]
    assert body["items"]["R1"]["redefinedRequirement"] == (
        "Das Zebra-Portal muss innerhalb von 2 Sekunden; das System muss außerdem "
        "ohne Schulung von 90 % der Erstnutzer bedienbar sein."
    )
    assert body["items"]["R2"]["redefinedRequirement"] == ("The portal shall be within 2 seconds.")
    assert "| redefinedRequirement |" in body["mergedMarkdown"]
    assert fake_stats(fake_url)["tasks"] == {"evaluate": 4, "suggest": 4, "rewrite": 4}


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        (
            "merge",
            [
                "Das Zebra-Portal muss Berichte speichern; "
                "das System muss außerdem Berichte drucken."
            ],
        ),
        (
            "split",
            [
                "Das Zebra-Portal muss Berichte speichern.",
                "Das System muss außerdem Berichte drucken.",
            ],
        ),
    ],
)
def test_apply_route_llm_same_json_on_v1_and_v2(
    llm_settings: Settings, fake_url: str, mode: str, expected: list[str]
) -> None:
    atoms = [
        {"original_fragment": "sollte", "correction": "muss", "criteria": {"testability": True}},
        {
            "original_fragment": "und",
            "correction": "; das System muss außerdem",
            "criteria": {"atomicity": True},
        },
    ]
    text = "Das Zebra-Portal sollte Berichte speichern und Berichte drucken."
    body = _post_both(
        llm_settings,
        APPLY,
        json={"originalText": text, "selectedSuggestions": atoms, "mode": mode},
    )
    _answered_by_llm(body, llm_settings)
    assert [item["redefinedRequirement"] for item in body["items"]] == expected
    assert fake_stats(fake_url)["tasks"] == {"apply": 2}


def test_suggest_route_llm_fault_says_fallback_on_both_variants(
    llm_settings: Settings, fake_url: str
) -> None:
    configure_fake(fake_url, error_rate=1.0)
    body = _post_both(llm_settings, SUGGEST, json=[GERMAN])
    item = body["items"]["REQ_1"]
    assert (item["engine"], item["fallbackReason"]) == ("heuristic", "upstream_error")
    assert item["suggestions"] and "promptVersion" not in item


def test_evaluate_llm_repeated_hits_cache(llm_settings: Settings, fake_url: str) -> None:
    v1, v2 = _gateway(llm_settings, "v1"), _gateway(llm_settings, "v2")
    first, second = _evaluate(v1, GERMAN), _evaluate(v2, GERMAN)
    assert normalized(first) == normalized(second)
    assert fake_stats(fake_url)["completions"] == 1


@pytest.mark.parametrize(
    ("faults", "reason"),
    [
        ({"error_rate": 1.0}, "upstream_error"),
        ({"malformed_rate": 1.0}, "malformed_json"),
    ],
)
def test_evaluate_llm_fault_answers_heuristic_on_both_variants(
    llm_settings: Settings, fake_url: str, faults: dict[str, Any], reason: str
) -> None:
    configure_fake(fake_url, **faults)
    for variant in ("v1", "v2"):
        body = _evaluate(_gateway(llm_settings, variant), GERMAN)
        assert (body["engine"], body["fallbackReason"]) == ("heuristic", reason)
        assert "promptVersion" not in body


def _core_results(settings: Settings) -> dict[str, Any]:
    """suggest, rewrite, merge and split of one text, cache cold."""
    reset_llm()
    kwargs: dict[str, Any] = {"criteria": CRITERIA, "language": None, "settings": settings}
    suggested = engines.suggest(GERMAN, **kwargs)
    rewritten = engines.rewrite(GERMAN, **kwargs)
    merged = engines.apply(GERMAN, suggested.atoms, "merge", settings=settings)
    split = engines.apply(GERMAN, suggested.atoms, "split", settings=settings)
    return {"suggest": suggested, "rewrite": rewritten, "merge": merged, "split": split}


def test_suggest_rewrite_apply_llm_repeatable_from_a_cold_cache(
    llm_settings: Settings, fake_url: str
) -> None:
    first, again = _core_results(llm_settings), _core_results(llm_settings)
    assert first == again
    assert all(result.meta.engine == "llm" for result in first.values())
    atoms = first["suggest"].atoms
    assert {a.original_fragment for a in atoms} >= {"sollte", "schnell"}
    assert any(a.metrics for a in atoms)
    (merged,) = first["merge"].items
    assert "muss" in merged and "sollte" not in merged
    assert len(first["split"].items) == 2  # the fake splits where "und" became "; ..."
    assert fake_stats(fake_url)["tasks"] == {"suggest": 2, "rewrite": 2, "apply": 4}


def test_evaluate_llm_concurrency_never_above_max_parallel(
    llm_settings: Settings, fake_url: str
) -> None:
    """40 concurrent evaluations, half via v1 (threads), half via v2, MAX_PARALLEL=4."""
    configure_fake(fake_url, latency_ms=100)
    apps = {
        variant: gateway.app.create_app(
            llm_settings.model_copy(update={"feature_flag_use_v2": variant == "v2"})
        )
        for variant in ("v1", "v2")
    }

    async def one(index: int) -> dict[str, Any]:
        app = apps["v2" if index % 2 else "v1"]
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://gateway.test"
        ) as client:
            reply = await client.post(
                EVALUATE,
                json={
                    "requirementText": f"Requirement {index}: the portal should be fast.",
                    "criteriaKeys": CRITERIA,
                },
            )
            return reply.json()  # type: ignore[no-any-return]

    async def all_of_them() -> list[dict[str, Any]]:
        return list(await asyncio.gather(*(one(i) for i in range(40))))

    bodies = asyncio.run(all_of_them())
    stats = fake_stats(fake_url)
    assert [b["engine"] for b in bodies] == ["llm"] * 40
    assert stats["completions"] == 40
    assert 2 <= stats["peak_in_flight"] <= 4, stats


def test_evaluate_llm_hanging_server_times_out_to_heuristic(
    make_settings: SettingsFactory, fake_url: str
) -> None:
    configure_fake(fake_url, timeout_rate=1.0, hang_s=1)
    settings = make_settings(
        mock_mode=False, openai_base_url=f"{fake_url}/v1", llm_timeout_s=0.3, llm_max_retries=0
    )
    try:
        body = _evaluate(_gateway(settings, "v2"), GERMAN)
    finally:
        configure_fake(fake_url, timeout_rate=0.0)
    assert (body["engine"], body["fallbackReason"]) == ("heuristic", "timeout")


def test_evaluate_llm_429_burst_retried_to_success(
    make_settings: SettingsFactory, fake_url: str
) -> None:
    configure_fake(fake_url, burst_every=1000, burst_length=2, retry_after_s=0)
    settings = make_settings(mock_mode=False, openai_base_url=f"{fake_url}/v1", llm_max_retries=2)
    try:
        body = _evaluate(_gateway(settings, "v1"), GERMAN)
    finally:
        configure_fake(fake_url, burst_every=0, burst_length=0)
    assert body["engine"] == "llm"


def test_judge_llm_repeatable_from_a_cold_cache(llm_settings: Settings) -> None:
    criteria = [CriterionInfo(key, key, "", 1.0, True) for key in CRITERIA]
    reset_llm()
    first = judge(GERMAN, criteria=criteria, language="de", settings=llm_settings).result
    reset_llm()
    again = judge(GERMAN, criteria=criteria, language="de", settings=llm_settings).result
    exclude = {"evaluation_id", "latency_ms"}
    assert first.model_dump(exclude=exclude) == again.model_dump(exclude=exclude)
    assert first.engine == "llm"


def test_exit_closes_llm_sessions_without_error(fake_url: str) -> None:
    # aiohttp reports a session still open when the process ends as an error on stderr.
    script = (
        "from core import engines\n"
        "from core.settings import load_settings\n"
        f"settings = load_settings(_env_file=None, mock_mode=False, "
        f"openai_base_url='{fake_url}/v1', llm_max_retries=0)\n"
        "result = engines.assess('The portal shall load in 2 s.', criteria=['clarity'],"
        " language='en', settings=settings)\n"
        "print(result.engine)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stdout.strip()) == (0, "llm"), done.stderr
    assert "Unclosed" not in done.stderr


def test_evaluate_llm_failing_server_opens_circuit_on_both_variants(
    llm_settings: Settings, fake_url: str
) -> None:
    settings = llm_settings.model_copy(update={"llm_breaker_failures": 2})
    configure_fake(fake_url, error_rate=1.0)
    reasons = [
        _evaluate(_gateway(settings, variant), f"{GERMAN} ({i})")["fallbackReason"]
        for i, variant in enumerate(("v1", "v2", "v1", "v2"))
    ]
    # v1 and v2 share the process's one LLM runtime, hence one breaker
    assert reasons == ["upstream_error", "upstream_error", "circuit_open", "circuit_open"]
    assert fake_stats(fake_url)["requests"] == 2


def test_assess_llm_connection_refused_says_connection_error(
    make_settings: SettingsFactory,
) -> None:
    """Issue 12, defect 11: the production client reports a refused connection as a connect
    timeout; the fallback reason must still say what happened."""
    reset_llm()
    closed = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    settings = make_settings(mock_mode=False, openai_base_url=closed, llm_max_retries=0)
    result = engines.assess(GERMAN, criteria=CRITERIA, language="de", settings=settings)
    assert (result.engine, result.fallback_reason) == ("heuristic", "connection_error")
