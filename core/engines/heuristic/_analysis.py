"""One requirement analysed once: the assessment, the atoms, the rewrite and the placeholders
are all read from the same detection, so no caller runs the detectors twice on a text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.atoms import SuggestionAtom
from core.engines.base import Assessment, Language
from core.engines.heuristic._atoms import atoms_for
from core.engines.heuristic._engine import MODEL_NAME, analyse
from core.engines.heuristic._hits import Hit
from core.engines.heuristic._language import detect_language
from core.engines.heuristic._lexicon import Lexicon, load
from core.engines.heuristic._rewrite import fixes_for, rewrite
from core.engines.heuristic._scoring import affecting
from core.engines.heuristic._wording import criterion_results, suggestions, to_finding
from core.glossary import Glossary


@dataclass(frozen=True, slots=True)
class Analysis:
    """The detectors' hits on one text, and everything the engine derives from them."""

    text: str
    lex: Lexicon
    hits: tuple[Hit, ...]
    ears: str

    @property
    def language(self) -> Language:
        return self.lex.language

    def placeholders(self) -> tuple[str, ...]:
        """The placeholders left (TBD, TODO, bracketed gaps), in text order: a text with any
        of them is not finished, whatever its score."""
        return tuple(self.text[h.start : h.end] for h in self.hits if h.code == "placeholder")

    def assessment(self, criteria: Sequence[str]) -> Assessment:
        """The judgement on the requested criteria, in the requested order."""
        findings = [to_finding(self.text, h, self.lex) for h in self.hits]
        return Assessment(
            language=self.language,
            results=criterion_results(criteria, findings, self.lex),
            suggestions=suggestions(self.text, list(self.hits), self.lex, self.ears),
            rewrite=self.rewrite(criteria),
            engine="heuristic",
            model=MODEL_NAME,
            extras={"ears": self.ears},
            placeholders=self.placeholders(),
        )

    def atoms(self, criteria: Sequence[str]) -> list[SuggestionAtom]:
        """Suggestion atoms for the defects that affect the requested criteria."""
        return atoms_for(self.text, list(self.hits), self.lex, criteria)

    def rewrite(self, criteria: Sequence[str]) -> str | None:
        """Every fix for the requested criteria made together; None when there is none."""
        fixes = fixes_for(self.text, affecting(self.hits, criteria), self.lex)
        return rewrite(self.text, [fix for _, fix in fixes])


def analysis(
    text: str, language: Language | None = None, glossary: Glossary | None = None
) -> Analysis:
    """Run the detectors once over one requirement."""
    lang: Language = language or detect_language(text)
    hits, ears = analyse(text, lang, glossary)
    return Analysis(text, load(lang), tuple(hits), ears)


def assess(
    text: str,
    *,
    criteria: Sequence[str],
    language: Language | None = None,
    glossary: Glossary | None = None,
) -> Assessment:
    """Judge one requirement against the requested criteria, in the requested order."""
    return analysis(text, language, glossary).assessment(criteria)


def suggest(
    text: str,
    *,
    criteria: Sequence[str],
    language: Language | None = None,
    glossary: Glossary | None = None,
) -> list[SuggestionAtom]:
    """Atoms for the defects that affect the requested criteria, in text order."""
    return analysis(text, language, glossary).atoms(criteria)


def placeholders(text: str, language: Language | None = None) -> tuple[str, ...]:
    """The placeholders left in a text (see Analysis.placeholders)."""
    return analysis(text, language).placeholders()
