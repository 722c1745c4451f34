"""The LLM engine's parts: cache, prompts, Retry-After, engine status, heuristic fallbacks,
and suggest/rewrite/apply through the seam."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from core import engines
from core.atoms import SuggestionAtom
from core.engines import fallbacks, heuristic, llm, llm_loop
from core.engines.cache import AnswerCache
from core.engines.llm_client import LlmConfig, retry_after_s
from core.engines.prompts import load_prompts
from core.exceptions import ConfigError
from core.settings import Settings
from tests.conftest import SettingsFactory
from tests.core.engines.conftest import BASE_URL
from tests.core.engines.test_llm_respx import completion, error
from tests.utils.llm import fallbacks as fallback_count

TEXT = "The Zebra module should be fast."


@pytest.fixture
def llm_settings(make_settings: SettingsFactory) -> Settings:
    return make_settings(mock_mode=False, openai_base_url=BASE_URL, llm_max_retries=0)


def test_cache_answer_cached_until_ttl() -> None:
    now = [0.0]
    cache = AnswerCache(size=2, ttl_s=10, timer=lambda: now[0])
    calls: list[int] = []

    async def compute() -> int:
        calls.append(1)
        return len(calls)

    async def scenario() -> list[int]:
        first = await cache.get_or_compute("k", compute)
        second = await cache.get_or_compute("k", compute)
        now[0] = 11.0
        return [first, second, await cache.get_or_compute("k", compute)]

    assert asyncio.run(scenario()) == [1, 1, 2]


def test_cache_concurrent_misses_share_one_call() -> None:
    cache = AnswerCache(size=8, ttl_s=60)
    calls: list[int] = []

    async def compute() -> str:
        calls.append(1)
        await asyncio.sleep(0.01)
        return "answer"

    async def scenario() -> list[str]:
        return list(await asyncio.gather(*(cache.get_or_compute("k", compute) for _ in range(5))))

    assert asyncio.run(scenario()) == ["answer"] * 5
    assert len(calls) == 1


@pytest.mark.parametrize("size", [0, 4])
def test_cache_failure_not_cached(size: int) -> None:
    cache = AnswerCache(size=size, ttl_s=60)
    calls: list[int] = []

    async def compute() -> str:
        calls.append(1)
        raise ValueError("boom")

    async def scenario() -> None:
        for _ in range(2):
            with pytest.raises(ValueError):
                await cache.get_or_compute("k", compute)

    asyncio.run(scenario())
    assert len(calls) == 2 and len(cache) == 0


def _clarity_answer(_request: httpx.Request | None = None) -> httpx.Response:
    body = {
        "results": [{"criterion": "clarity", "score": 1, "feedback": "ok", "findings": []}],
        "suggestions": [],
        "rewrite": "",
    }
    return completion(json.dumps(body))


def test_cache_key_holds_checksum_not_text(llm_settings: Settings, mock_llm: respx.Router) -> None:
    mock_llm.post("/chat/completions").mock(return_value=_clarity_answer())
    engines.assess(TEXT, criteria=["clarity"], language="en", settings=llm_settings)
    runtime = llm._runtimes[LlmConfig.from_settings(llm_settings)]
    (key,) = list(runtime.cache._entries or {})
    assert not any(isinstance(part, str) and "Zebra" in part for part in key)
    assert runtime.prompts.version in key and "gpt-4o-mini" in key


@pytest.mark.parametrize("differs", ["nothing", "model", "prompts"])
def test_cache_not_shared_across_variant_models_or_prompts(
    make_settings: SettingsFactory, mock_llm: respx.Router, tmp_path: Path, differs: str
) -> None:
    (tmp_path / "VERSION").write_text("v9", encoding="utf-8")  # the other prompts: built-in
    v2_values: dict[str, dict[str, object]] = {
        "nothing": {},
        "model": {"v2_openai_model": "model-b"},
        "prompts": {"v2_llm_prompts_dir": tmp_path},
    }
    shared = make_settings(mock_mode=False, openai_base_url=BASE_URL, **v2_values[differs])
    route = mock_llm.post("/chat/completions").mock(side_effect=_clarity_answer)
    answers = [
        engines.assess(TEXT, criteria=["clarity"], language="en", settings=settings)
        for settings in (shared.for_variant("v1"), shared.for_variant("v2"))
    ]
    # the same model and prompts: v2 may reuse v1's answer; else it asks for its own
    shared_model = shared.openai_model
    expected = {
        "nothing": [shared_model],
        "model": [shared_model, "model-b"],
        "prompts": [shared_model, shared_model],
    }[differs]
    assert [json.loads(call.request.content)["model"] for call in route.calls] == expected
    statuses = [engines.engine_status(shared, variant) for variant in ("v1", "v2")]
    assert [a.model for a in answers] == [s["model"] for s in statuses]
    assert [a.extras["promptVersion"] for a in answers] == [s["promptVersion"] for s in statuses]
    assert statuses[1]["promptVersion"].startswith("v9-" if differs == "prompts" else "v1-")


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "3"}, 3.0),
        ({"Retry-After": "0.5"}, 0.5),
        ({"retry-after-ms": "1500", "Retry-After": "9"}, 1.5),
        ({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0),
        ({"Retry-After": "soon"}, None),
        ({}, None),
    ],
)
def test_retry_after_parsed(headers: dict[str, str], expected: float | None) -> None:
    assert retry_after_s(httpx.Headers(headers)) == expected


def test_prompts_override_changes_version(tmp_path: Path) -> None:
    builtin = load_prompts()
    assert set(builtin.texts) == {
        (t, lang)
        for t in ("evaluate", "suggest", "rewrite", "apply", "find")
        for lang in ("de", "en")
    }
    (tmp_path / "evaluate.en.md").write_text("Judge it. Answer in JSON.", encoding="utf-8")
    custom = load_prompts(tmp_path)
    assert custom.system("evaluate", "en") == "Judge it. Answer in JSON."
    assert custom.system("evaluate", "de") == builtin.system("evaluate", "de")
    assert custom.version != builtin.version


@pytest.mark.parametrize(
    ("overrides", "engine", "reason"),
    [
        ({}, "heuristic", "heuristic: MOCK_MODE=true"),
        ({"openai_api_key": "sk-secret-value-1"}, "heuristic", "heuristic: MOCK_MODE=true"),
        ({"mock_mode": False}, "heuristic", "heuristic: no OPENAI_API_KEY or OPENAI_BASE_URL"),
        (
            {"mock_mode": False, "openai_api_key": "sk-secret-value-1"},
            "llm",
            "llm: MOCK_MODE=false and OPENAI_API_KEY set",
        ),
        (
            {"mock_mode": False, "openai_base_url": "http://127.0.0.1:1/v1"},
            "llm",
            "llm: MOCK_MODE=false and OPENAI_BASE_URL set",
        ),
    ],
)
def test_engine_status_says_why(
    make_settings: SettingsFactory, overrides: dict[str, Any], engine: str, reason: str
) -> None:
    settings = make_settings(**overrides)
    for variant in ("v1", "v2"):  # without V2_* settings v2 runs what v1 runs
        status = engines.engine_status(settings, variant)
        assert (status["engine"], status["reason"]) == (engine, reason)
        assert "sk-secret" not in json.dumps(status)


@pytest.mark.parametrize(
    ("overrides", "engine", "reason", "model"),
    [
        (
            {"v2_engine": "llm", "openai_base_url": "http://127.0.0.1:1/v1"},
            "llm",
            "llm: V2_ENGINE=llm and OPENAI_BASE_URL set",
            "gpt-4o-mini",
        ),
        (
            {"v2_engine": "heuristic", "mock_mode": False, "openai_api_key": "sk-secret-value-1"},
            "heuristic",
            "heuristic: V2_ENGINE=heuristic",
            heuristic.MODEL_NAME,
        ),
        (
            {"mock_mode": False, "openai_api_key": "sk-secret-1", "v2_openai_model": "model-b"},
            "llm",
            "llm: MOCK_MODE=false and OPENAI_API_KEY set",
            "model-b",
        ),
    ],
)
def test_engine_status_v2_says_which_setting(
    make_settings: SettingsFactory,
    overrides: dict[str, Any],
    engine: str,
    reason: str,
    model: str,
) -> None:
    status = engines.engine_status(make_settings(**overrides), "v2")
    assert (status["engine"], status["reason"], status["model"]) == (engine, reason, model)


def test_fallback_suggest_atoms_from_findings() -> None:
    result = fallbacks.suggest(heuristic.analysis(TEXT, "en"), ["clarity", "testability"])
    assert result.meta.engine == "heuristic" and result.atoms
    for atom in result.atoms:
        assert atom.original_fragment in TEXT
        assert set(atom.criteria) <= {"clarity", "testability"} and atom.notes


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("merge", ("The Zebra module shall be within 2 s.",)),
        ("split", ("The Zebra module shall be within 2 s.",)),
    ],
)
def test_fallback_apply_replaces_fragments(mode: str, expected: tuple[str, ...]) -> None:
    atoms = [
        SuggestionAtom(correction="shall", original_fragment="should"),
        SuggestionAtom(correction="within 2 s", original_fragment="fast"),
        SuggestionAtom(correction="advice only", original_fragment=""),
    ]
    items = fallbacks.apply(TEXT, atoms, mode).items  # type: ignore[arg-type]
    assert items == expected  # no split point among the atoms: split gives the merged text


def test_suggest_rewrite_apply_fall_back_with_reason(
    llm_settings: Settings, mock_llm: respx.Router
) -> None:
    mock_llm.post("/chat/completions").mock(side_effect=lambda request: error(500))
    before = fallback_count("upstream_error")
    atoms = engines.suggest(TEXT, criteria=["clarity"], language=None, settings=llm_settings)
    rewritten = engines.rewrite(TEXT, criteria=["clarity"], language=None, settings=llm_settings)
    applied = engines.apply(TEXT, atoms.atoms, "merge", settings=llm_settings)
    for meta in (atoms.meta, rewritten.meta, applied.meta):
        assert (meta.engine, meta.fallback_reason) == ("heuristic", "upstream_error")
    assert fallback_count("upstream_error") == before + 3


def test_suggest_llm_atoms_keep_requested_criteria_only(
    llm_settings: Settings, mock_llm: respx.Router
) -> None:
    atom = {
        "original_fragment": "should",
        "correction": "shall",
        "acceptance_criteria": ["a"],
        "metrics": [{"name": "t", "op": "<=", "value": 2, "unit": None}],
        "criteria": {"testability": True, "beauty": True},
        "notes": "n",
    }
    empty = {**atom, "correction": "  "}
    route = mock_llm.post("/chat/completions").mock(
        return_value=completion(json.dumps({"suggestions": [atom, empty]}))
    )
    result = engines.suggest(TEXT, criteria=["testability"], language="en", settings=llm_settings)
    assert result.meta.engine == "llm" and result.meta.prompt_version
    (only,) = result.atoms
    assert only.criteria == {"testability": True}
    sent = json.loads(route.calls.last.request.content)["response_format"]["json_schema"]
    assert sent["name"] == "suggest"
    assert sent["schema"]["properties"]["suggestions"]["items"]["properties"]["criteria"][
        "required"
    ] == ["testability"]


@pytest.mark.parametrize(
    ("mode", "items", "engine"),
    [
        ("merge", ["one"], "llm"),
        ("merge", ["one", "two"], "heuristic"),
        ("split", ["one", "two"], "llm"),
        ("split", [" "], "heuristic"),
    ],
)
def test_apply_llm_answer_checked_for_mode(
    llm_settings: Settings, mock_llm: respx.Router, mode: str, items: list[str], engine: str
) -> None:
    mock_llm.post("/chat/completions").mock(return_value=completion(json.dumps({"items": items})))
    atoms = [SuggestionAtom(correction="shall", original_fragment="should")]
    result = engines.apply(TEXT, atoms, mode, settings=llm_settings)  # type: ignore[arg-type]
    assert result.meta.engine == engine


def test_blocking_call_from_llm_loop_refused() -> None:
    async def inner() -> None:
        async def nothing() -> None:
            return None

        llm_loop.call(nothing())

    with pytest.raises(RuntimeError, match="deadlock"):
        llm_loop.call(inner())


def test_settings_prompts_dir_must_exist(make_settings: SettingsFactory, tmp_path: Path) -> None:
    assert make_settings(llm_prompts_dir=tmp_path).llm_prompts_dir == tmp_path
    with pytest.raises(ConfigError, match="LLM_PROMPTS_DIR"):
        make_settings(llm_prompts_dir=tmp_path / "missing")
