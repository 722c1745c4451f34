"""Mining's LLM pass against a mocked OpenAI endpoint (respx): one call per piece of the
document, the model's answers checked (quoted, new, long enough) before they count, and any
failure leaving the rules' candidates alone, with the reason."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest
import respx

from core import engines
from core.engines import DocumentPiece
from core.mining import mine
from core.mining._llm import PIECE_CHARS, Searched, llm_pass, pieces
from core.settings import Settings
from tests.conftest import SettingsFactory
from tests.core.engines.conftest import BASE_URL
from tests.utils.llm import completion, error, fallbacks, leaked

DOC = """# Konten

Das System muss jede Anmeldung protokollieren. Nutzer können ihr Passwort
selbst zurücksetzen.

- Das Konto wird nach fünf Fehlversuchen gesperrt.
- Das System muss gesperrte Konten melden.
"""


@pytest.fixture
def llm_settings(make_settings: SettingsFactory) -> Settings:
    return make_settings(
        mock_mode=False, openai_base_url=BASE_URL, llm_max_retries=0, llm_breaker_failures=0
    )


def found(*texts: str) -> httpx.Response:
    return completion(json.dumps({"requirements": [{"text": t, "kind": "Quality"} for t in texts]}))


def _pass(settings: Settings, text: str = DOC) -> tuple[list[Any], Any]:
    return llm_pass([Searched("spec.md", text, mine(text, source="spec.md"))], settings)


def test_llm_pass_keeps_only_new_quoted_requirements(
    llm_settings: Settings, mock_llm: respx.Router
) -> None:
    mock_llm.post("/chat/completions").mock(
        return_value=found(
            "Nutzer können ihr Passwort selbst zurücksetzen.",  # soft-wrapped in the document
            "Das Konto wird nach fünf Fehlversuchen gesperrt.",
            "Das Konto wird nach fünf Fehlversuchen gesperrt.",  # said twice: once
            "Das System muss jede Anmeldung protokollieren.",  # a rule candidate already
            "Das System muss gesperrte Konten",  # part of a rule candidate
            "Nutzer dürfen ihr Passwort zurücksetzen.",  # a paraphrase: not in the document
            "Das System muss Daten verschlüsseln.",  # invented
            "Konten",  # too short to be a requirement
        )
    )
    added, result = _pass(llm_settings)
    assert (result.meta.engine, result.meta.fallback_reason) == ("llm", None)
    assert [(c.text, c.line, c.origin, c.kind) for c in added] == [
        ("Nutzer können ihr Passwort selbst zurücksetzen.", 3, "llm", "quality"),
        ("Das Konto wird nach fünf Fehlversuchen gesperrt.", 6, "llm", "quality"),
    ]
    assert [c.id.rsplit("-", 1)[1] for c in added] == ["L1", "L2"]
    assert all(c.modal is None and c.language == "de" for c in added)


def test_llm_pass_sends_each_piece_with_its_known_requirements(
    llm_settings: Settings, mock_llm: respx.Router, caplog: pytest.LogCaptureFixture
) -> None:
    route = mock_llm.post("/chat/completions").mock(return_value=found())
    filler = "Dieser Absatz beschreibt den Hintergrund ohne jede Pflicht.\n" * 80
    text = f"{DOC}\n{filler}\nDas System muss Berichte drucken.\n"
    with caplog.at_level(logging.DEBUG):
        _pass(llm_settings, text)
    sent = [
        json.loads(json.loads(c.request.content)["messages"][1]["content"]) for c in route.calls
    ]
    assert len(sent) == len(pieces(text)) >= 2
    assert "".join(s["document"] for s in sent).count("Pflicht") == 80
    assert sent[0]["known"][0] == "Das System muss jede Anmeldung protokollieren."
    assert sent[-1]["known"] == ["Das System muss Berichte drucken."]
    assert {s["language"] for s in sent} == {"de"}
    body = json.loads(route.calls.last.request.content)
    assert body["response_format"]["json_schema"]["name"] == "find"
    assert not leaked(caplog.records, "Anmeldung", "Berichte")


@pytest.mark.parametrize(
    ("response", "reason"),
    [
        (error(500), "upstream_error"),
        (completion('{"requirements": [{"text": '), "malformed_json"),
        (completion(json.dumps({"requirements": "none"})), "schema_violation"),
    ],
    ids=["server-error", "malformed", "schema"],
)
def test_llm_pass_failure_adds_nothing_and_says_why(
    llm_settings: Settings, mock_llm: respx.Router, response: httpx.Response, reason: str
) -> None:
    mock_llm.post("/chat/completions").mock(return_value=response)
    before = fallbacks(reason)
    added, result = _pass(llm_settings)
    assert added == []
    assert (result.meta.engine, result.meta.fallback_reason) == ("heuristic", reason)
    assert fallbacks(reason) == before + 1


def test_llm_pass_one_failing_piece_fails_the_whole(
    llm_settings: Settings, mock_llm: respx.Router
) -> None:
    answers = iter([found("Nutzer können ihr Passwort selbst zurücksetzen."), error(500)])
    mock_llm.post("/chat/completions").mock(side_effect=lambda _request: next(answers))
    text = DOC + "\n" + "Ein Absatz ohne Pflicht, der nur den Text verlängert.\n" * 80
    added, result = _pass(llm_settings, text)
    assert added == [] and result.meta.fallback_reason == "upstream_error"


def test_find_requirements_without_llm_finds_nothing(settings: Settings) -> None:
    result = engines.find_requirements(
        [DocumentPiece("Nutzer können drucken.", "de")], settings=settings
    )
    assert result.found == ((),)
    assert (result.meta.engine, result.meta.fallback_reason) == ("heuristic", None)


def test_pieces_cut_at_line_ends_and_long_lines_at_sentence_ends() -> None:
    sentence = "The system shall record the event in the audit log. "
    long_line = sentence * (2 * PIECE_CHARS // len(sentence) + 1)
    text = "\n".join(["# Title", "Short line.", long_line, "Last line."] + ["Filler."] * 600)
    cut = pieces(text)
    assert all(len(p.text) <= PIECE_CHARS for p in cut)
    assert [p.first_line for p in cut[:2]] == [1, 3]
    long_parts = [p for p in cut if p.first_line == 3]
    assert len(long_parts) >= 2 and all(p.text.endswith("log.") for p in long_parts[:-1])
    lines = [line for p in cut if p.first_line != 3 for line in p.text.split("\n")]
    assert lines.count("Filler.") == 600 and "Last line." in lines
