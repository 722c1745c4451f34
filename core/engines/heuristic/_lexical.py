"""Detectors driven directly by the word lists: vague, subjective, open-ended and weak wording.

Each list match becomes a finding unless context shows it is harmless: a number right after
it quantifies it ("less than 5 s"), an exclusion phrase covers it ("as well as"), or a longer
finding already contains it ("possible" inside "if possible").
"""

from __future__ import annotations

import re

from core.engines.heuristic._hits import Ctx, Hit
from core.engines.heuristic._match import Match
from core.engines.heuristic._text import is_number

LEXICAL_CODES = (
    "placeholder",
    "loophole",
    "weak_modal",
    "weak_phrase",
    "vague_term",
    "vague_quantifier",
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
NEGATORS = frozenset({"not", "never", "nicht", "nie", "niemals"})
# A bracketed gap ("[measurable bound]", "[specify: ...]", "[Wert]") is template text a person
# must still fill in, in any language. Not gaps: numeric citations ("[1]", "[2, 5-7]") and
# markdown links ("[text](url)"). Bounded and without nesting, so the scan stays linear.
BRACKET_RE = re.compile(r"\[[^\[\]\n]{1,200}\](?!\()")
CITATION_RE = re.compile(r"[\d\s,;.\-–]+")


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
    hits += _vague_adverbs(ctx, {(h.start, h.end) for h in hits})
    hits += bracketed_gaps(ctx.doc.text)
    return _drop_contained(hits)


def bracketed_gaps(text: str) -> list[Hit]:
    """Placeholder hits for bracketed gaps (see BRACKET_RE)."""
    return [
        Hit("placeholder", m.start(), m.end())
        for m in BRACKET_RE.finditer(text)
        if not CITATION_RE.fullmatch(m.group()[1:-1])
    ]


def _vague_adverbs(ctx: Ctx, taken: set[tuple[int, int]]) -> list[Hit]:
    """Manner and degree adverbs ('-ly') not in the precise list are possibly vague."""
    rule = ctx.lex.data.get("vague_adverbs")
    if not rule:
        return []
    suffix, min_len = rule["suffix"], rule["min_length"]
    precise = ctx.lex.words("precise_adverbs")
    doc = ctx.doc
    return [
        Hit("vague_adverb", doc.starts[i], doc.ends[i])
        for i, low in enumerate(doc.lowers)
        if low.endswith(suffix)
        and len(low) >= min_len
        and low.isalpha()
        and low not in precise
        and (doc.starts[i], doc.ends[i]) not in taken
    ]


def _keep(ctx: Ctx, code: str, m: Match) -> bool:
    """Context rules that turn a list match into no finding (see the module docstring)."""
    if ctx.doc.lowers[m.first] in ctx.lex.words("approximators"):
        return _number_follows(ctx, m)  # "about 5 s" is vague; "about the train" is not
    if code == "rationale" and not _purpose_frame(ctx, m):
        return False
    if code in QUANTIFIED_CODES and _quantified(ctx, m):
        return False
    if code == "weak_modal" and (
        _negated_ability(ctx, m) or _inverted_condition(ctx, m) or _under_strong_modal(ctx, m)
    ):
        return False
    return True


def _number_follows(ctx: Ctx, m: Match) -> bool:
    lowers = ctx.doc.lowers
    return m.last < len(lowers) and is_number(lowers[m.last])


def _purpose_frame(ctx: Ctx, m: Match) -> bool:
    """German 'um' is a rationale only in 'um ... zu <Infinitiv>' ('um 5 Uhr' is not)."""
    frame = ctx.lex.data.get("purpose_frames")
    lowers = ctx.doc.lowers
    if not frame or lowers[m.first] != frame["open"]:
        return True
    window = lowers[m.last : m.last + frame["window"]]
    return frame["close"] in window


def _quantified(ctx: Ctx, m: Match) -> bool:
    """True when a number follows within a few tokens of the same clause, or a number and
    unit come right before it ("7 Jahre lang", "2 s long")."""
    lowers, clause_of = ctx.doc.lowers, ctx.doc.clause_of
    i = m.first
    if i >= 2 and is_number(lowers[i - 2]) and lowers[i - 1] in ctx.lex.words("units"):
        return True
    end = min(len(lowers), m.last + QUANTIFY_WINDOW)
    for i in range(m.last, end):
        if clause_of[i] != clause_of[m.first]:
            return False
        if is_number(lowers[i]):
            return True
    return False


def _inverted_condition(ctx: Ctx, m: Match) -> bool:
    """'Should the sensor fail, ...' / 'Sollte der Sensor ausfallen, ...' is a condition
    (EARS unwanted behaviour), not a weak obligation: the modal opens the sentence."""
    k = ctx.doc.sentence_of(m.first)
    return (
        bool(ctx.doc.sentences)
        and ctx.doc.sentences[k][0] == m.first
        and (ctx.doc.lowers[m.first] in {"should", "sollte", "sollten"})
    )


def _under_strong_modal(ctx: Ctx, m: Match) -> bool:
    """German 'muss ... speichern können': the infinitive 'können' depends on the binding
    'muss', so the obligation stands."""
    if ctx.doc.lowers[m.first] != "können":
        return False
    lo, _ = ctx.clause_span(m.first)
    strong = ctx.lex.words("strong_modal_words")
    return any(t in strong for t in ctx.doc.lowers[lo : m.first])


def _negated_ability(ctx: Ctx, m: Match) -> bool:
    """'can not' / 'can never' deny an ability: a negative statement, not a weak modal.

    'may not' stays weak: it reads as a prohibition or as a mere possibility.
    """
    lowers = ctx.doc.lowers
    nxt = lowers[m.last] if m.last < len(lowers) else ""
    return lowers[m.first] in {"can", "kann", "können"} and nxt in NEGATORS


def _drop_contained(hits: list[Hit]) -> list[Hit]:
    """Drop a finding strictly inside a longer one; negatives always stay.

    Spans sorted by start, longest first: a span is inside a longer one exactly when an
    earlier span reaches at least as far (one sweep, no pairwise comparison).
    """
    spans = sorted({(h.start, h.end) for h in hits}, key=lambda s: (s[0], -s[1]))
    inside: set[tuple[int, int]] = set()
    reach = -1
    for start, end in spans:
        if reach >= end:
            inside.add((start, end))
        reach = max(reach, end)
    return [h for h in hits if h.code == "negative" or (h.start, h.end) not in inside]
