"""Sentences of a unit, by the heuristic engine's segmentation plus two document rules.

core.engines.heuristic's segmentation already keeps abbreviations (z. B., bzw., d. h., ca.,
e.g., i.e., etc., Nr., vs.), ordinals and decimal numbers (1.5 s, 0,15) inside a sentence.
Documents add cases requirement texts rarely show: a full stop ends a sentence only when
whitespace follows it (so `v2.0` and `3.4.1` never split); and before a capitalised word,
a full stop after a single-letter unit that follows a number (`within 2 s. The log ...`) or
after a closing bracket or quote (`(p95). The ...`) ends one, where the engine's rule that
one character before a full stop is an abbreviation keeps the sentence open.
"""

from __future__ import annotations

from functools import cache
from itertools import pairwise

from core.engines.heuristic._lexicon import load
from core.engines.heuristic._text import Doc, build_doc, is_number

CLOSERS = frozenset({")", "]", '"', "“", "”", "’", "«", "»"})


@cache
def abbreviations() -> frozenset[str]:
    """The sentence abbreviations of both languages: documents quote each other's."""
    return load("de").words("abbreviations") | load("en").words("abbreviations")


@cache
def _units() -> frozenset[str]:
    return load("de").words("units") | load("en").words("units")


def sentences(text: str) -> list[tuple[int, int]]:
    """Character spans [start, end) of the sentences of `text`, in order."""
    doc = build_doc(text, abbreviations())
    if not doc.lowers:
        return []
    cuts = {lo for lo, _ in doc.sentences if lo and _spaced(doc, lo)}
    cuts.update(i for i in range(2, len(doc.lowers)) if _missed_stop(doc, i))
    bounds = [0, *sorted(cuts), len(doc.lowers)]
    return [(doc.starts[lo], doc.ends[hi - 1]) for lo, hi in pairwise(bounds) if hi > lo]


def _spaced(doc: Doc, i: int) -> bool:
    """Whitespace separates token i from the one before it."""
    return doc.starts[i] > doc.ends[i - 1]


def _missed_stop(doc: Doc, i: int) -> bool:
    """Token i opens a sentence after `<number> <one-letter unit> .` or `<bracket/quote> .`."""
    low = doc.lowers
    if low[i - 1] != "." or not _spaced(doc, i) or not doc.token(i)[:1].isupper():
        return False
    before = low[i - 2]
    if before in CLOSERS:
        return True
    return len(before) == 1 and before in _units() and i >= 3 and is_number(low[i - 3])
