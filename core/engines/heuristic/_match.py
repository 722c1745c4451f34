"""Find every word-list phrase in a tokenised text, with token and character spans."""

from __future__ import annotations

from bisect import bisect_left
from typing import NamedTuple

from core.engines.heuristic._lexicon import Lexicon
from core.engines.heuristic._text import Doc


class Match(NamedTuple):
    """A phrase of one category found at tokens [first, last) and characters [start, end)."""

    category: str
    first: int
    last: int
    start: int
    end: int
    hint: str


def find_matches(doc: Doc, lex: Lexicon) -> list[Match]:
    """All matches of all categories; per category and start token only the longest."""
    out: list[Match] = []
    lowers, starts, ends = doc.lowers, doc.starts, doc.ends
    index = lex.phrases
    n_tokens = len(lowers)
    for i, tok in enumerate(lowers):
        phrases = index.get(tok)
        if phrases is None:
            continue
        seen: set[str] = set()
        if phrases.by_second and i + 1 < n_tokens:
            for entry in phrases.by_second.get(lowers[i + 1], ()):
                n = len(entry.tokens)
                if entry.category in seen or lowers[i : i + n] != entry.tokens:
                    continue
                seen.add(entry.category)
                out.append(Match(entry.category, i, i + n, starts[i], ends[i + n - 1], entry.hint))
        for entry in phrases.singles:
            if entry.category not in seen:
                out.append(Match(entry.category, i, i + 1, starts[i], ends[i], entry.hint))
    if lex.pattern is not None:
        for m in lex.pattern.finditer(doc.text):
            category, hint = lex.pattern_meta[m.lastindex - 1 if m.lastindex else 0]
            first = bisect_left(ends, m.start() + 1)
            last = max(first + 1, bisect_left(starts, m.end()))
            out.append(Match(category, first, last, m.start(), m.end(), hint))
    return out


def by_category(matches: list[Match]) -> dict[str, list[Match]]:
    """Group matches by category, each list in text order."""
    groups: dict[str, list[Match]] = {}
    for m in matches:
        groups.setdefault(m.category, []).append(m)
    for group in groups.values():  # raw-pattern matches come after the phrase matches
        group.sort(key=_start)
    return groups


def _start(m: Match) -> int:
    return m.start
