"""The internal result of a detector and the context every detector reads."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.engines.heuristic._lexicon import Lexicon
from core.engines.heuristic._match import Match, by_category, find_matches
from core.engines.heuristic._text import Doc, build_doc


@dataclass(frozen=True, slots=True)
class Hit:
    """A detected defect before it is worded: code, character span and wording hints."""

    code: str
    start: int
    end: int
    hint: str = ""
    other: str = ""


@dataclass(slots=True)
class Ctx:
    """One requirement as the detectors see it: tokens, phrase matches, modal positions."""

    doc: Doc
    lex: Lexicon
    groups: dict[str, list[Match]]
    modal_tokens: frozenset[int] = field(default_factory=frozenset)

    def matches(self, category: str) -> list[Match]:
        """Matches of one category in text order."""
        return self.groups.get(category, [])

    def clause_span(self, i: int) -> tuple[int, int]:
        """Token range [lo, hi) of the clause holding token i."""
        clause_of = self.doc.clause_of
        lo, hi = i, i + 1
        while lo > 0 and clause_of[lo - 1] == clause_of[i]:
            lo -= 1
        while hi < len(clause_of) and clause_of[hi] == clause_of[i]:
            hi += 1
        return lo, hi


def build_ctx(text: str, lex: Lexicon) -> Ctx:
    """Tokenise and match once; every detector then works on the same context."""
    doc = build_doc(text, lex.words("abbreviations"))
    groups = by_category(find_matches(doc, lex))
    modal = {
        m.first for cat in ("_binding", "weak_modal", "weak_phrase") for m in groups.get(cat, [])
    }
    return Ctx(doc, lex, groups, frozenset(modal))
