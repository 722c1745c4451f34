"""Suggestion atoms (DESIGN §6) from an engine's judgement: what to change and how to check it.

`suggest` is the seam the LLM engine plugs into; until then atoms are built from what every
engine already returns: the findings (one atom per located defect), criteria that failed
without a located defect (advice only), and the engine's full rewrite when it made one.
An atom replaces `original_fragment` by `correction` when applied (core.corrections).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.batch_schemas import SuggestionAtom
from core.criteria import CriterionInfo
from core.engines.base import Language
from core.evaluation import Judgement, judge
from core.schemas import EvaluationPublic
from core.settings import Settings

# Mechanical replacements for defects that have one; others keep the fragment (advice only).
_REPLACEMENTS: dict[str, dict[str, dict[str, str]]] = {
    "weak_modal": {
        "en": {"": "shall"},
        "de": {"": "muss", "sollten": "müssen", "können": "müssen", "dürfen": "müssen"},
    },
    "vague_term": {"en": {"": "[measurable bound]"}, "de": {"": "[messbare Grenze]"}},
}
_ACCEPTANCE: dict[str, dict[str, str]] = {
    "weak_modal": {
        "en": "The obligation is stated with 'shall' or 'must'.",
        "de": "Die Pflicht ist mit 'muss' formuliert.",
    },
    "vague_term": {
        "en": "'{f}' is replaced by a value with a unit that a test can check.",
        "de": "'{f}' ist durch einen prüfbaren Wert mit Einheit ersetzt.",
    },
    "passive_voice": {
        "en": "The requirement names who performs '{f}'.",
        "de": "Die Anforderung nennt, wer '{f}' ausführt.",
    },
    "multiple_requirements": {
        "en": "Each requirement states exactly one obligation.",
        "de": "Jede Anforderung enthält genau eine Pflicht.",
    },
}
_DEFAULT_ACCEPTANCE = {
    "en": "The defect '{code}' no longer occurs.",
    "de": "Der Mangel '{code}' tritt nicht mehr auf.",
}


@dataclass(frozen=True, slots=True)
class Suggested:
    """A judgement together with the atoms derived from it."""

    judgement: Judgement
    atoms: list[SuggestionAtom]


def _correction(code: str, fragment: str, language: Language) -> str:
    table = _REPLACEMENTS.get(code, {}).get(language)
    if not table:
        return fragment
    return table.get(fragment.lower(), table[""])


def _acceptance(code: str, fragment: str, language: Language) -> str:
    template = _ACCEPTANCE.get(code, _DEFAULT_ACCEPTANCE)[language]
    return template.format(f=fragment, code=code)


def atoms_for(text: str, result: EvaluationPublic, rewrite: str | None) -> list[SuggestionAtom]:
    """Atoms in text order: one per located defect, then advice, then the full rewrite."""
    located: dict[tuple[str, int, int], tuple[str, str, dict[str, bool]]] = {}
    advice = []
    for detail in result.details:
        for finding in detail.findings:
            key = (finding.code, finding.start, finding.end)
            entry = located.setdefault(key, (finding.fragment, finding.message, {}))
            entry[2][detail.criterion] = False
        if not detail.passed and not detail.findings:
            advice.append(
                SuggestionAtom(
                    correction=detail.feedback,
                    notes=detail.feedback,
                    criteria={detail.criterion: False},
                )
            )
    atoms = [
        SuggestionAtom(
            correction=_correction(code, fragment, result.language),
            acceptance_criteria=[_acceptance(code, fragment, result.language)],
            criteria=criteria,
            notes=message,
            original_fragment=fragment,
        )
        for (code, _start, _end), (fragment, message, criteria) in sorted(
            located.items(), key=lambda item: item[0][1]
        )
    ]
    if rewrite and rewrite.strip() != text.strip():
        atoms.append(
            SuggestionAtom(
                correction=rewrite,
                criteria={d.criterion: True for d in result.details},
                notes="full rewrite",
                original_fragment=text,
            )
        )
    return atoms + advice


def suggest(
    text: str, *, criteria: Sequence[CriterionInfo], language: Language | None, settings: Settings
) -> Suggested:
    """Judge the text and derive its suggestion atoms; touches no database."""
    judgement = judge(text, criteria=criteria, language=language, settings=settings)
    return Suggested(judgement, atoms_for(text, judgement.result, judgement.rewrite))
