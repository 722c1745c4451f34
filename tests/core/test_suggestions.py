"""Suggestions with their evaluation (core.suggestions) and recorded corrections
(core.corrections), both through core.engines: the heuristic engine offline, the LLM's
heuristic fallback marked when the LLM fails."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from core.atoms import SuggestionAtom
from core.catalogue import CriterionInfo
from core.contract.batch import ApplyCreate, CorrectionTextCreate
from core.corrections import apply_corrections, save_manual_correction
from core.exceptions import NotFound
from core.runtime import open_store
from core.settings import Settings
from core.store.models import RewriteRecord
from core.suggestions import suggest
from tests.conftest import SettingsFactory

CRITERIA = [CriterionInfo(k, k, "", 1.0, True) for k in ("clarity", "testability")]


@pytest.mark.parametrize(
    ("text", "language", "fragment", "correction"),
    [
        ("The system should respond fast.", "en", "should", "The system shall respond fast."),
        (
            "Das System sollte schnell antworten.",
            "de",
            "sollte",
            "Das System muss schnell antworten.",
        ),
    ],
)
def test_suggest_judges_and_builds_atoms_heuristic(
    settings: Settings, text: str, language: str, fragment: str, correction: str
) -> None:
    suggested = suggest(text, criteria=CRITERIA, language=None, settings=settings)
    assert suggested.judgement.result.verdict == "fail"
    assert suggested.judgement.result.language == language
    assert (suggested.meta.engine, suggested.meta.fallback_reason) == ("heuristic", None)
    assert (suggested.atoms[0].original_fragment, suggested.atoms[0].correction) == (
        fragment,
        correction,
    )


def test_suggest_llm_unreachable_falls_back_with_reason(make_settings: SettingsFactory) -> None:
    settings = make_settings(
        mock_mode=False, openai_base_url="http://127.0.0.1:9/v1", llm_max_retries=0
    )
    suggested = suggest(
        "The system should run.", criteria=CRITERIA, language="en", settings=settings
    )
    assert suggested.meta.engine == "heuristic" and suggested.meta.fallback_reason
    assert suggested.judgement.result.fallback_reason == suggested.meta.fallback_reason


def _atom(fragment: str, correction: str, *criteria: str) -> SuggestionAtom:
    return SuggestionAtom(
        correction=correction, original_fragment=fragment, criteria={c: False for c in criteria}
    )


def test_apply_corrections_records_checksums_per_item(settings: Settings) -> None:
    request = ApplyCreate(
        original_text="Save A and B.",
        mode="split",
        selected_suggestions=[_atom("and", "and", "atomicity")],
    )
    with Session(open_store(settings)) as session:
        result = apply_corrections(session=session, settings=settings, request=request)
        records = session.get(RewriteRecord, result.items[1].rewritten_id)
    assert [i.redefined_requirement for i in result.items] == ["Save A.", "B."]
    assert (result.engine, result.fallback_reason) == ("heuristic", None)
    assert records is not None and records.source == "apply" and records.evaluation_id is None


def test_corrections_unknown_evaluation_not_found(settings: Settings) -> None:
    with Session(open_store(settings)) as session, pytest.raises(NotFound):
        save_manual_correction(
            session=session,
            request=CorrectionTextCreate(original_text="a", text="b", evaluation_id="nope"),
        )
