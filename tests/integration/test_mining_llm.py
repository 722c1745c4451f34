"""Mining's LLM pass end to end: dev/fake_llm.py on a free port, the gateway with MOCK_MODE=false.

With `llm: true` the fake model's finds (sentences the rules skip) are added with origin llm
and the answer names the LLM; when the model fails, or its circuit is open, the answer holds
the rules' candidates only and says why, as an evaluation does (`fallbackReason`).
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from starlette.testclient import TestClient

import gateway.app
from core.settings import Settings
from tests.conftest import SettingsFactory
from tests.utils.llm import configure_fake, fake_stats, leaked

pytestmark = pytest.mark.usefixtures("fake_llm")

MINING = "/api/v1/mining/extract"
DOC = """# Passwort

Das System muss jede Anmeldung protokollieren.
Nutzer können ihr Zebra-Passwort selbst zurücksetzen.

- Das System unterstützt die Anmeldung mit einem zweiten Faktor.
"""
FOUND_BY_LLM = [
    (4, "Nutzer können ihr Zebra-Passwort selbst zurücksetzen."),
    (6, "Das System unterstützt die Anmeldung mit einem zweiten Faktor."),
]


def _mine(settings: Settings, **body: Any) -> dict[str, Any]:
    response = TestClient(gateway.app.create_app(settings)).post(MINING, json={"text": DOC, **body})
    assert response.status_code == 200, response.text
    assert response.headers["X-Variant"] == "v2"
    return response.json()  # type: ignore[no-any-return]


def _by_origin(body: dict[str, Any], origin: str) -> list[tuple[int, str]]:
    return [(i["line"], i["text"]) for i in body["items"] if i["origin"] == origin]


def test_mining_llm_pass_adds_what_the_rules_missed(
    llm_settings: Settings, fake_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        body = _mine(llm_settings, llm=True, evaluate=True)
    assert (body["engine"], body["model"]) == ("llm", llm_settings.openai_model)
    assert body["promptVersion"].startswith("v1-") and "fallbackReason" not in body
    assert _by_origin(body, "rules") == [(3, "Das System muss jede Anmeldung protokollieren.")]
    assert _by_origin(body, "llm") == FOUND_BY_LLM
    assert [i["line"] for i in body["items"]] == [3, 4, 6]  # in document order
    llm_items = [i for i in body["items"] if i["origin"] == "llm"]
    assert all("modal" not in i and i["id"].split("-")[-1].startswith("L") for i in llm_items)
    assert all(i["evaluation"]["verdict"] in {"pass", "fail"} for i in body["items"])
    assert '"origin": "llm"' in body["markdown"]
    assert fake_stats(fake_url)["tasks"]["find"] == 1
    assert not leaked(caplog.records, "Zebra")


def test_mining_without_llm_option_never_asks_the_llm(
    llm_settings: Settings, fake_url: str
) -> None:
    body = _mine(llm_settings)
    assert body["engine"] == "heuristic" and _by_origin(body, "llm") == []
    assert "find" not in fake_stats(fake_url)["tasks"]


def test_mining_llm_pass_failure_gives_rule_candidates_and_reason(
    llm_settings: Settings, fake_url: str
) -> None:
    configure_fake(fake_url, error_rate=1.0)
    body = _mine(llm_settings, llm=True)
    assert (body["engine"], body["fallbackReason"]) == ("heuristic", "upstream_error")
    assert _by_origin(body, "llm") == [] and len(body["items"]) == 1


def test_mining_llm_pass_with_open_circuit_answers_at_once(
    make_settings: SettingsFactory, fake_url: str
) -> None:
    settings = make_settings(
        mock_mode=False,
        openai_base_url=f"{fake_url}/v1",
        llm_max_retries=0,
        llm_breaker_failures=1,
        llm_breaker_reset_s=60,
    )
    configure_fake(fake_url, error_rate=1.0)
    assert _mine(settings, llm=True)["fallbackReason"] == "upstream_error"
    configure_fake(fake_url, error_rate=0.0)
    body = _mine(settings, llm=True)
    assert body["fallbackReason"] == "circuit_open" and _by_origin(body, "llm") == []
    assert fake_stats(fake_url)["completions"] == 0  # the open circuit asked nobody


def test_mining_files_llm_pass_as_form_field(llm_settings: Settings) -> None:
    client = TestClient(gateway.app.create_app(llm_settings))
    files = [("files", ("konto.md", DOC.encode())), ("files", ("leer.txt", b"Kein Inhalt."))]
    response = client.post(MINING, files=files, data={"llm": "true"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["engine"] == "llm"
    assert _by_origin(body, "llm") == FOUND_BY_LLM
    assert {i["source"] for i in body["items"]} == {"konto.md"}


def test_mining_llm_option_without_llm_engine_is_rules_only(settings: Settings) -> None:
    body = _mine(settings, llm=True)
    assert body["engine"] == "heuristic" and "fallbackReason" not in body
    assert _by_origin(body, "llm") == []
