"""The LLM engine against a mocked OpenAI endpoint (respx): the request it sends, and every
failure mode ending in the heuristic answer with its reason and counter."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import respx

from core import engines
from core.catalogue import CriterionInfo
from core.contract.evaluations import EvaluationPublic
from core.engines.base import Assessment
from core.evaluation import judge
from core.glossary import Glossary, GlossaryTerm
from core.settings import Settings
from tests.conftest import SettingsFactory
from tests.core.engines.conftest import BASE_URL
from tests.utils.llm import answer, completion, error, fallbacks, leaked, metric

API_KEY = "sk-test-0123456789abcdef"
TEXT = "Das Zebra-Kontrollmodul sollte schnell und benutzerfreundlich sein."
CRITERIA = ["clarity", "testability"]


@pytest.fixture
def llm_settings(make_settings: SettingsFactory) -> Settings:
    return make_settings(
        mock_mode=False,
        openai_base_url=BASE_URL,
        openai_api_key=API_KEY,
        openai_model="gpt-test",
        llm_max_retries=2,
        llm_timeout_s=5,
    )


Assess = Callable[[Settings], Assessment]


def _assess_sync(settings: Settings) -> Assessment:
    return engines.assess(TEXT, criteria=CRITERIA, language="de", settings=settings)


@pytest.fixture
def assess() -> Assess:
    return _assess_sync


def _times(n: int, make: Callable[[], httpx.Response]) -> Callable[[], list[httpx.Response]]:
    return lambda: [make() for _ in range(n)]


FAILURES = [
    # (case, fresh responses or exception, reason, upstream calls, recorded waits or None)
    (
        "rate-limited",
        _times(3, lambda: error(429, headers={"Retry-After": "1.5"})),
        "rate_limited",
        3,
        [1.5, 1.5],
    ),
    (
        "rate-limited-retry-after-ms",
        _times(3, lambda: error(429, headers={"retry-after-ms": "250"})),
        "rate_limited",
        3,
        [0.25, 0.25],
    ),
    (
        "rate-limited-too-long",
        _times(1, lambda: error(429, headers={"Retry-After": "3600"})),
        "rate_limited",
        1,
        [],
    ),
    ("server-error", _times(3, lambda: error(503)), "upstream_error", 3, None),
    ("timeout", lambda: httpx.ReadTimeout("slow"), "timeout", 1, []),
    ("connection-error", lambda: httpx.ConnectError("refused"), "connection_error", 3, None),
    ("unauthorized", _times(1, lambda: error(401, "bad key")), "client_error", 1, []),
    (
        "malformed-json",
        _times(1, lambda: completion('{"results": [{"criterion": "clar')),
        "malformed_json",
        1,
        [],
    ),
    ("empty-content", _times(1, lambda: completion(None)), "malformed_json", 1, []),
    (
        "truncated",
        _times(1, lambda: completion(answer()[:50], finish_reason="length")),
        "truncated",
        1,
        [],
    ),
    (
        "schema-violation",
        _times(1, lambda: completion(json.dumps({"results": "none"}))),
        "schema_violation",
        1,
        [],
    ),
    (
        "missing-criterion",
        _times(1, lambda: completion(answer(results=[]))),
        "schema_violation",
        1,
        [],
    ),
    (
        "not-a-number",
        _times(1, lambda: completion(answer().replace("0.4", "NaN"))),
        "schema_violation",
        1,
        [],
    ),
    (
        "refusal",
        _times(1, lambda: completion(None, refusal="I can't help with that.")),
        "refusal",
        1,
        [],
    ),
    (
        "content-filter",
        _times(1, lambda: completion("", finish_reason="content_filter")),
        "refusal",
        1,
        [],
    ),
]


@pytest.mark.parametrize(
    ("case", "responses", "reason", "calls", "expected_waits"),
    FAILURES,
    ids=[f[0] for f in FAILURES],
)
def test_assess_llm_failure_falls_back_to_heuristic(
    assess: Assess,
    llm_settings: Settings,
    mock_llm: respx.Router,
    waits: list[float],
    caplog: pytest.LogCaptureFixture,
    case: str,
    responses: Any,
    reason: str,
    calls: int,
    expected_waits: list[float] | None,
) -> None:
    route = mock_llm.post("/chat/completions").mock(side_effect=responses())
    before = fallbacks(reason)
    with caplog.at_level(logging.DEBUG):
        result = assess(llm_settings)
    assert result.engine == "heuristic"
    assert result.fallback_reason == reason
    assert [r.criterion for r in result.results] == CRITERIA
    assert route.call_count == calls
    assert fallbacks(reason) == before + 1
    if expected_waits is not None:
        assert waits == expected_waits
    else:
        assert len(waits) == calls - 1 and all(0 < w <= 8 for w in waits)
    assert not leaked(caplog.records, "Zebra", API_KEY)


def test_assess_llm_happy_path_sends_structured_request(
    assess: Assess,
    llm_settings: Settings,
    mock_llm: respx.Router,
    caplog: pytest.LogCaptureFixture,
) -> None:
    route = mock_llm.post("/chat/completions").mock(return_value=completion(answer()))
    tokens_before = metric("reqgate_llm_tokens_total", model="gpt-test", kind="prompt")
    with caplog.at_level(logging.DEBUG):
        result = assess(llm_settings)
    assert (result.engine, result.model, result.fallback_reason) == ("llm", "gpt-test", None)
    assert result.extras["promptVersion"].startswith("v1-")
    sent = route.calls.last.request
    assert sent.headers["Authorization"] == f"Bearer {API_KEY}"
    body = json.loads(sent.content)
    assert body["model"] == "gpt-test"
    assert body["temperature"] == 0.0
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["strict"] is True
    schema = body["response_format"]["json_schema"]["schema"]
    assert schema["additionalProperties"] is False
    criterion = schema["properties"]["results"]["items"]["properties"]["criterion"]
    assert criterion["enum"] == CRITERIA
    system, user = body["messages"]
    assert "Requirements Engineer" in system["content"]  # the German prompt
    assert json.loads(user["content"])["requirement"] == TEXT
    tokens = metric("reqgate_llm_tokens_total", model="gpt-test", kind="prompt")
    assert tokens == tokens_before + 120
    assert not leaked(caplog.records, "Zebra", API_KEY)


def test_assess_llm_answer_is_validated_clamped_and_located(
    llm_settings: Settings, mock_llm: respx.Router, caplog: pytest.LogCaptureFixture
) -> None:
    results = [
        {
            "criterion": "clarity",
            "score": 7,
            "feedback": "ok",
            "findings": [
                {"code": "Vague Term", "message": "m", "fragment": "SCHNELL"},
                {"code": "x", "message": "m", "fragment": "not in the text"},
            ],
        },
        {"criterion": "testability", "score": -0.5, "feedback": "bad", "findings": []},
        {"criterion": "beauty", "score": 1, "feedback": "?", "findings": []},
    ]
    mock_llm.post("/chat/completions").mock(return_value=completion(answer(results=results)))
    with caplog.at_level(logging.INFO):
        result = _assess_sync(llm_settings)
    clarity, testability = result.results
    assert (clarity.score, testability.score) == (1.0, 0.0)
    (finding,) = clarity.findings
    assert (finding.code, finding.fragment) == ("vague_term", "schnell")
    assert TEXT[finding.start : finding.end] == "schnell"
    assert result.suggestions[0].priority == "high"
    assert any(r.getMessage() == "llm answer: ignored unknown criteria" for r in caplog.records)


def test_assess_llm_server_without_json_schema_gets_json_object(
    llm_settings: Settings, mock_llm: respx.Router
) -> None:
    route = mock_llm.post("/chat/completions").mock(
        side_effect=[
            error(
                400, "Invalid parameter: 'response_format' of type 'json_schema' is not supported"
            ),
            completion(answer()),
            completion(answer()),
        ]
    )
    first = _assess_sync(llm_settings)
    second = engines.assess(
        "Another text.", criteria=CRITERIA, language="en", settings=llm_settings
    )
    assert (first.engine, second.engine) == ("llm", "llm")
    formats = [json.loads(call.request.content)["response_format"] for call in route.calls]
    assert [f["type"] for f in formats] == ["json_schema", "json_object", "json_object"]
    system = json.loads(route.calls[1].request.content)["messages"][0]["content"]
    assert '"additionalProperties": false' in system


def test_assess_llm_server_error_then_success_is_retried(
    llm_settings: Settings, mock_llm: respx.Router, waits: list[float]
) -> None:
    route = mock_llm.post("/chat/completions").mock(
        side_effect=[error(500), error(429, headers={"Retry-After": "2"}), completion(answer())]
    )
    result = _assess_sync(llm_settings)
    assert (result.engine, route.call_count) == ("llm", 3)
    assert len(waits) == 2 and waits[1] == 2.0


def test_assess_llm_retries_disabled_fall_back_at_once(
    make_settings: SettingsFactory, mock_llm: respx.Router, waits: list[float]
) -> None:
    settings = make_settings(mock_mode=False, openai_base_url=BASE_URL, llm_max_retries=0)
    route = mock_llm.post("/chat/completions").mock(return_value=error(503))
    assert _assess_sync(settings).fallback_reason == "upstream_error"
    assert (route.call_count, waits) == (1, [])


def test_assess_llm_repeated_request_hits_cache(
    llm_settings: Settings, mock_llm: respx.Router
) -> None:
    route = mock_llm.post("/chat/completions").mock(return_value=completion(answer()))
    first, second = _assess_sync(llm_settings), _assess_sync(llm_settings)
    assert first == second
    assert route.call_count == 1
    other = engines.assess(TEXT, criteria=["clarity"], language="de", settings=llm_settings)
    assert other.engine == "llm"  # other criteria: another key, another call
    assert route.call_count == 2


def test_assess_mock_mode_never_calls_llm(
    make_settings: SettingsFactory, mock_llm: respx.Router
) -> None:
    route = mock_llm.post("/chat/completions").mock(return_value=completion(answer()))
    settings = make_settings(mock_mode=True, openai_base_url=BASE_URL)
    assert _assess_sync(settings).engine == "heuristic"
    assert _assess_sync(settings).fallback_reason is None
    assert route.call_count == 0


def test_assess_llm_glossary_in_payload_and_cache_key(
    llm_settings: Settings, mock_llm: respx.Router, caplog: pytest.LogCaptureFixture
) -> None:
    route = mock_llm.post("/chat/completions").mock(side_effect=lambda _: completion(answer()))
    glossary = Glossary(
        (
            GlossaryTerm("schnell", "defined", "Antwort in unter 200 ms"),
            GlossaryTerm("asap", "vague_term", language="en"),
        )
    )

    def ask(terms: Glossary | None) -> None:
        engines.assess(
            TEXT, criteria=CRITERIA, language="de", settings=llm_settings, glossary=terms
        )

    with caplog.at_level(logging.DEBUG):
        ask(None)
        ask(glossary)
        ask(glossary)  # answered from the cache
    assert route.call_count == 2
    plain, with_terms = (
        json.loads(c.request.content)["messages"][1]["content"] for c in route.calls
    )
    assert "glossary" not in json.loads(plain)
    assert json.loads(with_terms)["glossary"] == [
        {"term": "schnell", "kind": "defined", "definition": "Antwort in unter 200 ms"}
    ]  # the English-only entry is left out of a German request
    assert not leaked(caplog.records, "Zebra", "Antwort in unter")


def _judge_llm(settings: Settings, keys: list[str]) -> EvaluationPublic:
    criteria = [CriterionInfo(key, key, "", 1.0, True) for key in keys]
    return judge(TEXT, criteria=criteria, language="de", settings=settings).result


def test_judge_llm_verdict_fails_when_any_criterion_fails(
    llm_settings: Settings, mock_llm: respx.Router
) -> None:
    """Same rule as the heuristic engine: a mean above VERDICT_THRESHOLD does not pass
    while one requested criterion fails."""
    results = [
        {"criterion": "clarity", "score": 0.95, "feedback": "ok", "findings": []},
        {"criterion": "testability", "score": 0.5, "feedback": "schwach", "findings": []},
        {"criterion": "measurability", "score": 0.95, "feedback": "ok", "findings": []},
    ]
    mock_llm.post("/chat/completions").mock(return_value=completion(answer(results=results)))
    result = _judge_llm(llm_settings, ["clarity", "testability", "measurability"])
    assert result.engine == "llm" and result.score >= 0.7
    assert result.verdict == "fail"
    assert [d.passed for d in result.details] == [True, False, True]


def test_judge_llm_known_major_code_fails_its_criterion(
    llm_settings: Settings, mock_llm: respx.Router
) -> None:
    """A model that scores testability 0.9 but reports the weak modal 'sollte' there gets
    the same cap as the heuristic engine: below CRITERION_PASS_THRESHOLD, failed."""
    finding = {"code": "weak_modal", "message": "schwach", "fragment": "sollte"}
    results = [
        {"criterion": "clarity", "score": 0.9, "feedback": "ok", "findings": []},
        {"criterion": "testability", "score": 0.9, "feedback": "ok", "findings": [finding]},
    ]
    mock_llm.post("/chat/completions").mock(return_value=completion(answer(results=results)))
    result = _judge_llm(llm_settings, CRITERIA)
    clarity, testability = result.details
    assert clarity.passed and (not testability.passed) and testability.score < 0.7
    assert testability.findings[0].severity == "major"
    assert result.verdict == "fail"


def test_suggest_llm_atoms_become_complete_corrections(
    llm_settings: Settings, mock_llm: respx.Router
) -> None:
    """Whatever the model writes, clients get DESIGN §6 atoms: a fragment's replacement is
    merged into the whole text, a no-op is dropped, needsInput only when true, and no
    findingCode: the model is not asked for one."""
    atoms = [
        {
            "original_fragment": "sollte",
            "correction": "muss",
            "needsInput": False,
            "question": None,
            "findingCode": "weak_modal",
        },
        {"original_fragment": "schnell", "correction": "schnell", "needsInput": False},
        {
            "original_fragment": "benutzerfreundlich",
            "correction": TEXT.replace("benutzerfreundlich", "[Kriterium]"),
            "needsInput": True,
            "question": "Welches Kriterium?",
        },
    ]
    mock_llm.post("/chat/completions").mock(
        return_value=completion(json.dumps({"suggestions": atoms}))
    )
    result = engines.suggest(TEXT, criteria=CRITERIA, language="de", settings=llm_settings)
    first, second = result.atoms
    assert first.correction == TEXT.replace("sollte", "muss") and first.needs_input is None
    assert first.finding_code is None
    assert second.needs_input is True and second.question == "Welches Kriterium?"
    assert second.correction == TEXT.replace("benutzerfreundlich", "[Kriterium]")
