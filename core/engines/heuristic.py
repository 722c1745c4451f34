"""First rule-based engine: a handful of word-list and pattern checks in English and German.

Stands in until the full smell detector lands; same interface (detect_language, assess).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from core.engines.base import Assessment, CriterionResult, Finding, Language, Suggestion

MODEL_NAME = "reqgate-heuristic/1"

_GERMAN_HINTS = re.compile(
    r"\b(der|die|das|und|muss|soll|sollte|nicht|ist|ein|eine|werden)\b", re.I
)
_ENGLISH_HINTS = re.compile(r"\b(the|and|shall|must|should|is|a|an|be|will|of)\b", re.I)

_RULES: dict[str, list[tuple[str, re.Pattern[str], tuple[str, ...], str]]] = {
    "en": [
        (
            "vague_term",
            re.compile(r"\b(fast|quick(ly)?|user-friendly|easy|adequate|appropriate)\b", re.I),
            ("clarity", "measurability"),
            "Vague term '{f}': state a measurable bound.",
        ),
        (
            "weak_modal",
            re.compile(r"\b(should|may|could|might)\b", re.I),
            ("testability",),
            "Weak modal verb '{f}': use 'shall' or 'must'.",
        ),
        (
            "passive_voice",
            re.compile(r"\b(is|are|be|been)\s+\w+ed\b", re.I),
            ("completeness",),
            "Passive voice '{f}': name who performs the action.",
        ),
        (
            "multiple_requirements",
            re.compile(r"\b(and|or)\b", re.I),
            ("atomicity",),
            "'{f}' may join several requirements: split them.",
        ),
    ],
    "de": [
        (
            "vague_term",
            re.compile(r"\b(schnell|benutzerfreundlich|einfach|angemessen|geeignet)\b", re.I),
            ("clarity", "measurability"),
            "Vager Begriff '{f}': eine messbare Grenze angeben.",
        ),
        (
            "weak_modal",
            re.compile(r"\b(sollte|sollten|kann|könnte|darf)\b", re.I),
            ("testability",),
            "Schwaches Modalverb '{f}': 'muss' verwenden.",
        ),
        (
            "passive_voice",
            re.compile(r"\b(wird|werden)\s+\w+\s+\w*(ge\w+t)\b", re.I),
            ("completeness",),
            "Passiv '{f}': nennen, wer die Handlung ausführt.",
        ),
        (
            "multiple_requirements",
            re.compile(r"\b(und|oder)\b", re.I),
            ("atomicity",),
            "'{f}' verbindet eventuell mehrere Anforderungen: aufteilen.",
        ),
    ],
}
_NUMBER_WITH_UNIT = re.compile(
    r"\d+(?:[.,]\d+)?\s*(%|ms|s|sec|seconds?|sekunden?|min|minuten?|"
    r"minutes?|h|hours?|stunden?|mb|gb|kb|users?|nutzer)\b",
    re.I,
)
_FEEDBACK_OK = {"en": "No issues found.", "de": "Keine Mängel gefunden."}
_NO_MEASURE = {"en": "No measurable value with a unit.", "de": "Kein messbarer Wert mit Einheit."}


def detect_language(text: str) -> Language:
    """German when German function words outnumber English ones."""
    german = len(_GERMAN_HINTS.findall(text))
    return "de" if german > len(_ENGLISH_HINTS.findall(text)) else "en"


def _findings(text: str, language: Language) -> list[Finding]:
    found = []
    for code, pattern, criteria, message in _RULES[language]:
        for match in pattern.finditer(text):
            fragment = match.group(0)
            found.append(
                Finding(
                    code, message.format(f=fragment), match.start(), match.end(), fragment, criteria
                )
            )
    return found


def assess(text: str, *, criteria: Sequence[str], language: Language | None = None) -> Assessment:
    """Judge the text on each requested criterion; each finding costs its criteria 0.35."""
    lang = language or detect_language(text)
    findings = _findings(text, lang)
    measurable = bool(_NUMBER_WITH_UNIT.search(text))
    results = []
    for key in criteria:
        own = tuple(f for f in findings if key in f.criteria)
        score = max(0.0, 1.0 - 0.35 * len(own))
        feedback = " ".join(f.message for f in own) or _FEEDBACK_OK[lang]
        if key == "measurability" and not measurable:
            score, feedback = min(score, 0.4), f"{_NO_MEASURE[lang]} {feedback}"
        results.append(CriterionResult(key, round(score, 3), feedback, own))
    suggestions = tuple(dict.fromkeys(Suggestion(f.message, "high") for f in findings))
    return Assessment(
        language=lang, results=tuple(results), suggestions=suggestions, model=MODEL_NAME
    )
