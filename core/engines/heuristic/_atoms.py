"""Suggestion atoms (DESIGN §6) from the heuristic engine's findings.

One atom per fix (core.engines.heuristic._rewrite), in text order: its `correction` is the
complete requirement with that one defect removed, so a client can put it in place of the
original, and corrections/apply merges several. Where only a person knows the missing fact
the correction carries one placeholder in its place, `needsInput` is true and `question`
says what to answer; `criteria[key]` is true only when the atom alone satisfies the
criterion (a split into two sentences satisfies atomicity only through apply(split), so it
says false); `findingCode` is the code of the finding the atom fixes. A finding without a
fix gets no atom: no atom is a no-op.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.atoms import SuggestionAtom
from core.engines.heuristic._hits import Hit
from core.engines.heuristic._lexicon import Lexicon
from core.engines.heuristic._rewrite import SPLITTING, Fix, fixes_for
from core.engines.heuristic._scoring import affecting, criteria_of
from core.engines.heuristic._wording import to_finding

# As many as the LLM engine may return (llm_schemas.SuggestAnswer): each atom carries the
# whole text, so a long text full of defects must not multiply into megabytes.
MAX_ATOMS = 20


def atoms_for(
    text: str, hits: list[Hit], lex: Lexicon, criteria: Sequence[str]
) -> list[SuggestionAtom]:
    """The atoms of the hits of one analysis, for the requested criteria, in text order."""
    requested = set(criteria)
    fixes = fixes_for(text, affecting(hits, requested), lex)[:MAX_ATOMS]
    return [_atom(text, hit, fix, lex, requested) for hit, fix in fixes]


def _atom(text: str, hit: Hit, fix: Fix, lex: Lexicon, requested: set[str]) -> SuggestionAtom:
    finding = to_finding(text, hit, lex)
    acceptance: dict[str, str] = lex.data["acceptance"]
    template = acceptance.get(hit.code, acceptance["default"])
    return SuggestionAtom(
        original_fragment=text[fix.start : fix.end],
        correction=fix.applied_to(text),
        acceptance_criteria=[template.format(fragment=finding.fragment)],
        criteria=dict.fromkeys(
            (key for key in criteria_of(hit.code) if key in requested),
            not fix.needs_input and hit.code not in SPLITTING,
        ),
        notes=finding.message,
        needs_input=True if fix.needs_input else None,
        question=fix.question,
        finding_code=finding.code,
    )
