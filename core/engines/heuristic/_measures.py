"""Measurability detectors: numbers without units and quality claims without any number."""

from __future__ import annotations

from core.engines.heuristic._hits import Ctx, Hit
from core.engines.heuristic._text import is_number, is_word

RANGE_LINKS = frozenset({"and", "or", "to", "-", "–", "und", "oder", "bis", "/"})
UNIT_WINDOW = 3


def detect_measures(ctx: Ctx) -> list[Hit]:
    """Run both measurability detectors."""
    return [*_numbers_without_unit(ctx), *_missing_measures(ctx)]


def _numbers_without_unit(ctx: Ctx) -> list[Hit]:
    """A bound ('within', 'at least', 'innerhalb von') followed by a bare number.

    Only bounded numbers are checked: identifiers, levels and section numbers ("level 3",
    "Kapitel 5") carry no unit by nature.
    """
    lowers = ctx.doc.lowers
    hits = []
    for m in ctx.matches("_bound"):
        i = m.last
        if i >= len(lowers) or not is_number(lowers[i]):
            continue
        j = _range_end(lowers, i)
        if not _has_unit(ctx, i, j):
            hits.append(Hit("number_without_unit", ctx.doc.starts[i], ctx.doc.ends[j]))
    return hits


def _range_end(lowers: tuple[str, ...], i: int) -> int:
    """Index of the last number in a range such as '1 to 5' or '2 - 4'."""
    while i + 2 < len(lowers) and lowers[i + 1] in RANGE_LINKS and is_number(lowers[i + 2]):
        i += 2
    return i


def _has_unit(ctx: Ctx, first: int, last: int) -> bool:
    """A unit or counted noun right after the number, or a currency sign before it."""
    lowers = ctx.doc.lowers
    units = ctx.lex.words("units")
    if first > 0 and lowers[first - 1] in units and not lowers[first - 1].isalpha():
        return True
    following = lowers[last + 1 : last + 1 + UNIT_WINDOW]
    if not following:
        return False
    joined = "".join(following)
    if following[0] in units or any(joined.startswith(u) for u in ("km/h", "m/s", "u/min")):
        return True
    word = following[0]
    if not is_word(word) or is_number(word) or word in ctx.lex.words("stopwords"):
        return False
    # A counted noun ("3 retries", "5 Fahrzeuge") is its own unit; German nouns are capitalised.
    return ctx.lex.language != "de" or ctx.doc.token(last + 1)[:1].isupper()


def _missing_measures(ctx: Ctx) -> list[Hit]:
    """A performance or quality claim in a sentence that holds no number at all."""
    doc = ctx.doc
    hits = []
    for m in ctx.matches("_claim"):
        lo, hi = doc.sentences[doc.sentence_of(m.first)]
        if not any(is_number(doc.lowers[j]) for j in range(lo, hi)):
            hits.append(Hit("missing_measure", m.start, m.end))
    return hits
