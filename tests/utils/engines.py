"""A stand-in engine behind the `core.engines` seams (assess, suggest, rewrite): records
calls, can block or fail; apply stays the real text merge.

Tests use it to observe parallelism (the most calls ever in flight), to hold items back
until the test lets them go, and to make chosen items fail, without any timing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

import pytest

from core import engines
from core.atoms import SuggestionAtom
from core.engines import heuristic
from core.engines.base import Assessment, CriterionResult, Finding, Language
from core.engines.results import EngineMeta, RewriteResult, SuggestResult
from core.engines.tasks import Review

FAKE_META = EngineMeta("heuristic", "fake/1")


class FakeEngine:
    """Judges every criterion 0.9 (pass), or 0.2 with a finding for texts with a bad word;
    suggests replacing a vague bad word by `fix` (other codes: advice)."""

    def __init__(self, *, fail_on: str = "💥", hold: Callable[[str], bool] | None = None) -> None:
        self.fail_on = fail_on
        self.bad_words: tuple[str, ...] = ("bad",)
        self.finding_code = "vague_term"
        self.fix = "[measurable bound]"  # what a vague bad word becomes
        self.hold = hold or (lambda _text: False)
        self.gate = threading.Event()
        self.lock = threading.Lock()
        self.calls: list[str] = []
        self.done: list[str] = []
        self.in_flight = 0
        self.max_in_flight = 0

    def assess(
        self,
        text: str,
        *,
        criteria: Sequence[str],
        language: Language | None,
        settings: object,
        glossary: object = None,
    ) -> Assessment:
        with self.lock:
            self.calls.append(text)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.hold(text):
                assert self.gate.wait(timeout=30), "test never released the engine"
            if self.fail_on in text:
                raise RuntimeError(f"engine exploded on {text}")
            assessment = self._assessment(
                text, criteria, language or "en", self.bad_words, self.finding_code
            )
            with self.lock:
                self.done.append(text)
            return assessment
        finally:
            with self.lock:
                self.in_flight -= 1

    def _atoms(self, text: str) -> tuple[SuggestionAtom, ...]:
        word = next((w for w in self.bad_words if w in text), None)
        if word is None:
            return ()
        fix = self.fix if self.finding_code == "vague_term" else word
        atom = SuggestionAtom(correction=fix, original_fragment=word, criteria={"clarity": False})
        return (atom,)

    def suggest(
        self,
        text: str,
        *,
        criteria: Sequence[str],
        language: Language | None,
        settings: object,
        glossary: object = None,
    ) -> SuggestResult:
        return SuggestResult(self._atoms(text), FAKE_META)

    def rewrite(
        self,
        text: str,
        *,
        criteria: Sequence[str],
        language: Language | None,
        settings: object,
        glossary: object = None,
    ) -> RewriteResult:
        for atom in self._atoms(text):
            text = text.replace(atom.original_fragment, atom.correction, 1)
        return RewriteResult(text, FAKE_META)

    def review(
        self,
        text: str,
        *,
        criteria: Sequence[str],
        language: Language | None,
        settings: object,
        glossary: object = None,
        with_atoms: bool = False,
        with_rewrite: bool = False,
    ) -> Review:
        kwargs = {"criteria": criteria, "language": language, "settings": settings}
        return Review(
            self.assess(text, **kwargs),  # type: ignore[arg-type]
            self.suggest(text, **kwargs) if with_atoms else None,  # type: ignore[arg-type]
            self.rewrite(text, **kwargs) if with_rewrite else None,  # type: ignore[arg-type]
        )

    @staticmethod
    def _assessment(
        text: str, criteria: Sequence[str], language: Language, bad_words: Sequence[str], code: str
    ) -> Assessment:
        word = next((w for w in bad_words if w in text), None)
        bad = word is not None
        start = text.find(word) if word else -1
        findings = (
            (Finding(code, f"Vague '{word}'.", start, start + len(word), word, ("clarity",)),)
            if word
            else ()
        )
        return Assessment(
            language=language,
            results=tuple(
                CriterionResult(
                    key, 0.2 if bad else 0.9, "feedback", findings if key == "clarity" else ()
                )
                for key in criteria
            ),
            model="fake/1",
            # Every engine reports the placeholders of the text (the LLM engine by the same
            # scan): the stand-in too, so "a gap never passes" holds behind it.
            placeholders=heuristic.placeholders(text, language),
        )


@pytest.fixture
def fake_engine(monkeypatch: pytest.MonkeyPatch) -> FakeEngine:
    engine = FakeEngine()
    monkeypatch.setattr(engines, "assess", engine.assess)
    monkeypatch.setattr(engines, "suggest", engine.suggest)
    monkeypatch.setattr(engines, "rewrite", engine.rewrite)
    monkeypatch.setattr(engines, "review", engine.review)
    return engine
