"""The internal result of a detector and the context every detector reads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from core.engines.heuristic._lexicon import Lexicon
from core.engines.heuristic._match import Match, by_category, find_matches
from core.engines.heuristic._text import Doc, build_doc


class Hit(NamedTuple):
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
    modal_prefix: tuple[int, ...] = ()
    binding_prefix: tuple[int, ...] = ()

    def modals_between(self, lo: int, hi: int) -> int:
        """Number of modal verbs among tokens [lo, hi), in constant time."""
        return self.modal_prefix[hi] - self.modal_prefix[lo] if hi > lo else 0

    def bindings_between(self, lo: int, hi: int) -> int:
        """Number of binding modals starting among tokens [lo, hi), in constant time."""
        return self.binding_prefix[hi] - self.binding_prefix[lo] if hi > lo else 0

    def matches(self, category: str) -> list[Match]:
        """Matches of one category in text order."""
        return self.groups.get(category, [])

    def clause_span(self, i: int) -> tuple[int, int]:
        """Token range [lo, hi) of the clause holding token i."""
        return self.doc.clause_bounds[self.doc.clause_of[i]]


def build_ctx(text: str, lex: Lexicon, extra: Callable[[Doc], list[Match]] | None = None) -> Ctx:
    """Tokenise and match once; every detector then works on the same context.

    `extra` adds matches of words outside the lexicon (a project glossary); they come first,
    so where both name the same span, the extra match's hint is the one kept.
    """
    doc = build_doc(text, lex.words("abbreviations"))
    matches = find_matches(doc, lex)
    groups = by_category(extra(doc) + matches if extra is not None else matches)
    modal = {
        m.first for cat in ("_binding", "weak_modal", "weak_phrase") for m in groups.get(cat, [])
    }
    binding = {m.first for m in groups.get("_binding", [])}
    return Ctx(doc, lex, groups, frozenset(modal), _prefix(doc, modal), _prefix(doc, binding))


def _prefix(doc: Doc, tokens: set[int]) -> tuple[int, ...]:
    """Running count of the marked tokens, so a count over any token range is one subtraction."""
    counts = [0]
    for i in range(len(doc.lowers)):
        counts.append(counts[-1] + (i in tokens))
    return tuple(counts)
