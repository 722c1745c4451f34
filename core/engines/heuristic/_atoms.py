"""Suggestion atoms (DESIGN §6) from the heuristic engine's findings.

One atom per located defect, in text order: the mechanical edit the rewrite would make
(binding modal, loophole deleted, a bracketed note naming the measure to add), or, for a
defect with no mechanical fix, the fragment itself as advice. `criteria[key]` is true only
when the edit alone satisfies the criterion; a note or advice leaves work for a person.
A conjunction joining two requirements becomes a split point for apply(split) (an
atomicity atom whose correction equals its fragment).
"""

from __future__ import annotations

from collections.abc import Sequence

from core.atoms import SuggestionAtom
from core.engines.base import Language
from core.engines.heuristic._engine import analyse
from core.engines.heuristic._hits import Hit
from core.engines.heuristic._language import detect_language
from core.engines.heuristic._lexicon import Lexicon, load
from core.engines.heuristic._rewrite import edit_for
from core.engines.heuristic._scoring import criteria_of
from core.engines.heuristic._wording import to_finding
from core.glossary import Glossary

# Codes whose mechanical edit removes the defect; other edits only mark it.
RESOLVING = frozenset({"weak_modal", "weak_phrase", "loophole"})


def suggest(
    text: str,
    *,
    criteria: Sequence[str],
    language: Language | None = None,
    glossary: Glossary | None = None,
) -> list[SuggestionAtom]:
    """Atoms for the defects that affect the requested criteria, in text order."""
    lang: Language = language or detect_language(text)
    lex = load(lang)
    hits, _ears = analyse(text, lang, glossary)
    requested = set(criteria)
    atoms: list[SuggestionAtom] = []
    spans: set[tuple[int, int]] = set()
    noted: set[int] = set()
    for hit in hits:
        affected = [key for key in criteria_of(hit.code) if key in requested]
        if not affected or (hit.start, hit.end) in spans:
            continue
        spans.add((hit.start, hit.end))
        atoms.append(_atom(text, hit, lex, affected, noted))
    return atoms


def _atom(
    text: str, hit: Hit, lex: Lexicon, affected: list[str], noted: set[int]
) -> SuggestionAtom:
    finding = to_finding(text, hit, lex)
    edit = edit_for(text, hit, lex, noted)
    if edit is not None:
        fragment, correction = text[edit[0] : edit[1]], edit[2]
    elif hit.code == "multiple_requirements" and finding.fragment.lower() in lex.words(
        "modal_words"
    ):
        # The modal of a further sentence: no word to cut at, so advice only.
        fragment = correction = ""
    else:
        fragment = correction = finding.fragment
    acceptance: dict[str, str] = lex.data["acceptance"]
    template = acceptance.get(hit.code, acceptance["default"])
    return SuggestionAtom(
        original_fragment=fragment,
        correction=correction or (finding.message if not fragment else ""),
        acceptance_criteria=[template.format(fragment=finding.fragment)],
        criteria=dict.fromkeys(affected, edit is not None and hit.code in RESOLVING),
        notes=finding.message,
    )
