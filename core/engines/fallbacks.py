"""Suggest, rewrite and apply without an LLM, built on the heuristic engine's assessment.

The heuristic engine finds defects but writes no replacement wording, so its atoms carry
the defect's fragment and advice: `correction` is the engine's rewrite when it has one,
else the fragment itself (nothing to replace automatically) with the advice in `notes`.
Apply then replaces fragments by corrections; an atom without a real change changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.atoms import SuggestionAtom
from core.engines import heuristic
from core.engines.base import Assessment, Language
from core.engines.results import ApplyMode, ApplyResult, EngineMeta, RewriteResult, SuggestResult


def heuristic_meta() -> EngineMeta:
    return EngineMeta("heuristic", heuristic.MODEL_NAME)


def _assessment(text: str, criteria: Sequence[str], language: Language) -> Assessment:
    return heuristic.assess(text, criteria=criteria, language=language)


def suggest(text: str, criteria: Sequence[str], language: Language) -> SuggestResult:
    """One atom per finding, plus a whole-text atom when the engine wrote a rewrite."""
    assessment = _assessment(text, criteria, language)
    atoms: list[SuggestionAtom] = []
    if assessment.rewrite and assessment.rewrite.strip() != text.strip():
        atoms.append(
            SuggestionAtom(
                correction=assessment.rewrite,
                original_fragment=text,
                criteria={r.criterion: True for r in assessment.results},
                notes=" ".join(s.text for s in assessment.suggestions),
            )
        )
    seen: set[tuple[str, int]] = set()
    for result in assessment.results:
        for finding in result.findings:
            if (finding.code, finding.start) in seen:
                continue
            seen.add((finding.code, finding.start))
            addressed = [key for key in finding.criteria if key in criteria] or [result.criterion]
            atoms.append(
                SuggestionAtom(
                    correction=finding.fragment,
                    original_fragment=finding.fragment,
                    criteria=dict.fromkeys(addressed, True),
                    notes=finding.message,
                )
            )
    if not atoms:
        atoms = [SuggestionAtom(correction=s.text, notes=s.text) for s in assessment.suggestions]
    return SuggestResult(tuple(atoms), heuristic_meta())


def rewrite(text: str, criteria: Sequence[str], language: Language) -> RewriteResult:
    """The heuristic engine's rewrite, or the text unchanged when it has none."""
    rewritten = _assessment(text, criteria, language).rewrite
    return RewriteResult((rewritten or text).strip(), heuristic_meta())


def _applied(text: str, atom: SuggestionAtom) -> str:
    fragment = atom.original_fragment
    if not fragment or fragment.strip() == text.strip():
        # A whole-text atom is a complete rewrite; an atom without a fragment has nothing
        # to replace, and its correction may be advice, so it changes nothing.
        return atom.correction.strip() if fragment else text
    return text.replace(fragment, atom.correction, 1) if fragment in text else text


def apply(original: str, atoms: Sequence[SuggestionAtom], mode: ApplyMode) -> ApplyResult:
    """merge: every atom applied in order to one text; split: one text per atom, deduplicated."""
    if mode == "merge":
        merged = original
        for atom in atoms:
            merged = _applied(merged, atom)
        return ApplyResult((merged.strip(),), heuristic_meta())
    items = dict.fromkeys(_applied(original, atom).strip() for atom in atoms) or {original: None}
    return ApplyResult(tuple(items), heuristic_meta())
