"""Detectors driven directly by the word lists: vague, subjective, open-ended and weak wording.

Each list match becomes a finding unless context shows it is harmless: a number right after
it quantifies it ("less than 5 s"), an exclusion phrase covers it ("as well as"), it sits in a
subordinate clause (a weak modal in "if the driver can ..." does not weaken the obligation), or
a longer finding already contains it ("possible" inside "if possible").
"""

from __future__ import annotations

from core.engines.heuristic._hits import Ctx, Hit
from core.engines.heuristic._match import Match
from core.engines.heuristic._text import is_number

LEXICAL_CODES = (
    "placeholder",
    "loophole",
    "weak_modal",
    "vague_term",
    "subjective_term",
    "nonverifiable_term",
    "superlative",
    "comparative",
    "negative",
    "vague_reference",
    "design_term",
    "filler",
    "rationale",
)
# A number this close after the term quantifies it, so the term is no longer vague.
QUANTIFIED_CODES = frozenset({"vague_term", "subjective_term", "superlative", "comparative"})
QUANTIFY_WINDOW = 3
# Standalone negating words that state a prohibition by themselves.
STRONG_NEGATIONS = frozenset(
    {"never", "cannot", "can't", "won't", "mustn't", "shan't", "nie", "niemals"}
)


def detect_lexical(ctx: Ctx) -> list[Hit]:
    """Findings for every list category, filtered by context."""
    excluded = [(m.start, m.end) for m in ctx.matches("_exclude")]
    hits: list[Hit] = []
    for code in LEXICAL_CODES:
        for m in ctx.matches(code):
            if any(s <= m.start and m.end <= e for s, e in excluded):
                continue
            if _keep(ctx, code, m):
                hits.append(Hit(code, m.start, m.end, m.hint))
    return _drop_contained(hits)


def _keep(ctx: Ctx, code: str, m: Match) -> bool:
    if code in QUANTIFIED_CODES and _quantified(ctx, m):
        return False
    if code == "weak_modal":
        return not _subordinate(ctx, m.first) and not _negated_ability(ctx, m)
    if code == "negative":
        return is_requirement_negation(ctx, m.first)
    return True


def _quantified(ctx: Ctx, m: Match) -> bool:
    """True when a number follows within a few tokens of the same clause."""
    lowers, clause_of = ctx.doc.lowers, ctx.doc.clause_of
    end = min(len(lowers), m.last + QUANTIFY_WINDOW)
    for i in range(m.last, end):
        if clause_of[i] != clause_of[m.first]:
            return False
        if is_number(lowers[i]):
            return True
    return False


def _subordinate(ctx: Ctx, i: int) -> bool:
    """True when token i sits in a subordinate clause (after if/when/which/dass/wenn...)."""
    lo, _ = ctx.clause_span(i)
    subs = ctx.lex.words("subordinators")
    if ctx.lex.language == "de":
        # German subordinate clauses are set off by commas and open with the subordinator.
        head = next((t for t in ctx.doc.lowers[lo:i] if t[:1].isalnum()), "")
        return head in subs
    return any(tok in subs for tok in ctx.doc.lowers[lo:i])


def _negated_ability(ctx: Ctx, m: Match) -> bool:
    """'can not' / 'may not' state a prohibition, reported as a negative instead."""
    lowers = ctx.doc.lowers
    return lowers[m.first] in {"can", "may"} and m.last < len(lowers) and lowers[m.last] == "not"


def is_requirement_negation(ctx: Ctx, i: int) -> bool:
    """A negation counts when it negates the requirement itself, not a condition.

    ISO 29148 warns against negative requirements ("shall not"); a "not" inside a condition
    ("if the driver does not acknowledge") is how conditions are written and is no smell.
    """
    lo, hi = ctx.clause_span(i)
    lowers = ctx.doc.lowers
    subs = ctx.lex.words("subordinators")
    head = next((t for t in lowers[lo:hi] if t[:1].isalnum()), "")
    if head in subs:
        return False
    if lowers[i] in STRONG_NEGATIONS:
        return True
    for j in range(lo, hi):
        if j in ctx.modal_tokens:
            a, b = (j, i) if j < i else (i, j)
            if not any(t in subs for t in lowers[a + 1 : b]):
                return True
    return False


def _drop_contained(hits: list[Hit]) -> list[Hit]:
    """Drop a finding strictly inside a longer one; negatives always stay."""
    spans = [(h.start, h.end) for h in hits]
    out = []
    for h in hits:
        inside = any(
            s <= h.start and h.end <= e and (e - s) > (h.end - h.start) for s, e in spans
        )
        if not inside or h.code == "negative":
            out.append(h)
    return out
