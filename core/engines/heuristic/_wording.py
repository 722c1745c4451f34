"""Turn hits into findings, feedback and suggestions in the requirement's language.

All wording comes from the lexicon's "messages", "suggestions", "feedback" and "code_names"
tables; this module only fills in fragments and hints.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from core.engines.base import CriterionResult, Finding, Language, Priority, Suggestion
from core.engines.heuristic._hits import Hit
from core.engines.heuristic._lexicon import Lexicon, load
from core.engines.heuristic._scoring import RULED, criteria_of, score
from core.engines.severity import rule_of

MAX_REASONS = 4
MAX_SUGGESTIONS = 12
HIGH = frozenset(
    {
        "weak_modal",
        "weak_phrase",
        "placeholder",
        "vague_term",
        "subjective_term",
        "missing_measure",
        "loophole",
        "missing_modal",
        "multiple_requirements",
        "number_without_unit",
    }
)
MEDIUM = frozenset(
    {
        "nonverifiable_term",
        "vague_quantifier",
        "superlative",
        "comparative",
        "ambiguous_pronoun",
        "passive_voice",
        "vague_reference",
        "too_short",
    }
)
PRIORITY_RANK: dict[Priority, int] = {"high": 0, "medium": 1, "low": 2}


def to_finding(text: str, hit: Hit, lex: Lexicon) -> Finding:
    """Word one hit as a Finding with its message and affected criteria."""
    fragment = text[hit.start : hit.end]
    message = lex.text("messages", hit.code).format(
        fragment=fragment, other=hit.other, count=hit.other, hint=hit.hint
    )
    rule = rule_of(hit.code)
    return Finding(
        hit.code,
        message,
        hit.start,
        hit.end,
        fragment,
        criteria_of(hit.code),
        rule.severity,
        rule.fails,
    )


def criterion_results(
    criteria: Sequence[str], findings: list[Finding], lex: Lexicon
) -> tuple[CriterionResult, ...]:
    """Score and feedback of each requested criterion, in the requested order."""
    by_criterion: dict[str, list[Finding]] = {}
    for f in findings:
        for c in f.criteria:
            by_criterion.setdefault(c, []).append(f)
    reasons: dict[int, str] = {}
    return tuple(_result(c, by_criterion.get(c, []), reasons, lex) for c in criteria)


def _result(
    criterion: str, own: list[Finding], reasons: dict[int, str], lex: Lexicon
) -> CriterionResult:
    if criterion not in RULED:
        return CriterionResult(criterion, 1.0, _fixed_line(lex.language, criterion, "no_rule"))
    if not own:
        return CriterionResult(criterion, 1.0, _fixed_line(lex.language, criterion, "ok"))
    feedback: dict[str, str] = lex.data["feedback"]
    name = lex.data["criterion_names"].get(criterion, criterion)
    value = score(criterion, (f.code for f in own))
    # The findings that fail the criterion on their own come first and say so.
    failing = [f for f in own if criterion in f.fails]
    ordered = failing + [f for f in own if criterion not in f.fails]
    parts = []
    for f in ordered[:MAX_REASONS]:
        if id(f) not in reasons:
            reasons[id(f)] = _reason(f, lex)
        parts.append(reasons[id(f)])
    if len(own) > MAX_REASONS:
        parts.append(feedback["more"].format(n=len(own) - MAX_REASONS))
    template = feedback["fails"] if failing else feedback["issues"]
    text = template.format(name=name, reasons="; ".join(parts))
    return CriterionResult(criterion, value, text, tuple(own))


@cache
def _fixed_line(language: Language, criterion: str, kind: str) -> str:
    """The feedback lines that do not depend on the text, built once per language."""
    lex = load(language)
    name = lex.data["criterion_names"].get(criterion, criterion)
    line: str = lex.data["feedback"][kind].format(name=name)
    return line


def _reason(f: Finding, lex: Lexicon) -> str:
    label = lex.text("code_names", f.code)
    if f.code in {"missing_modal", "long_sentence", "too_short"}:
        return label
    quote = "„{}“" if lex.language == "de" else "'{}'"
    return f"{label} {quote.format(_short(f.fragment))}"


def _short(fragment: str, limit: int = 40) -> str:
    return fragment if len(fragment) <= limit else fragment[: limit - 1] + "…"


def suggestions(text: str, hits: list[Hit], lex: Lexicon, ears: str) -> tuple[Suggestion, ...]:
    """Finding-specific fixes, most important first, without repeats."""
    ranked = sorted(hits, key=lambda h: (PRIORITY_RANK[priority(h.code)], h.start))
    out: list[Suggestion] = []
    seen: set[str] = set()
    for hit in ranked:
        line = _suggestion_text(text, hit, lex)
        if line.lower() not in seen:
            seen.add(line.lower())
            out.append(Suggestion(line, priority(hit.code)))
    if ears == "none" and not any(h.code == "too_short" for h in hits):
        out.append(Suggestion(lex.text("suggestions", "ears"), "low"))
    return tuple(out[:MAX_SUGGESTIONS])


def priority(code: str) -> Priority:
    """How urgent a fix for this finding code is."""
    if code in HIGH:
        return "high"
    return "medium" if code in MEDIUM else "low"


def _suggestion_text(text: str, hit: Hit, lex: Lexicon) -> str:
    table: dict[str, str] = lex.data["suggestions"]
    key = hit.code if hit.hint or f"{hit.code}_nohint" not in table else f"{hit.code}_nohint"
    fragment = _short(text[hit.start : hit.end])
    return table[key].format(fragment=fragment, hint=hit.hint, other=hit.other, limit=hit.hint)
