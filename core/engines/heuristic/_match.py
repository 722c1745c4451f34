"""Find every word-list phrase in a tokenised text, with token and character spans."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from core.engines.heuristic._lexicon import Lexicon
from core.engines.heuristic._text import Doc


@dataclass(frozen=True, slots=True)
class Match:
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
    lowers = doc.lowers
    for i, tok in enumerate(lowers):
        seen: set[str] = set()
        for entry in lex.phrases.get(tok, ()):
            n = len(entry.tokens)
            if entry.category in seen or lowers[i : i + n] != entry.tokens:
                continue
            seen.add(entry.category)
            out.append(
                Match(entry.category, i, i + n, doc.starts[i], doc.ends[i + n - 1], entry.hint)
            )
    for category, pattern, hint in lex.patterns:
        for m in pattern.finditer(doc.text):
            first = bisect_left(doc.ends, m.start() + 1)
            last = max(first + 1, bisect_left(doc.starts, m.end()))
            out.append(Match(category, first, last, m.start(), m.end(), hint))
    return out


def by_category(matches: list[Match]) -> dict[str, list[Match]]:
    """Group matches by category, each list in text order."""
    groups: dict[str, list[Match]] = {}
    for m in sorted(matches, key=lambda m: m.start):
        groups.setdefault(m.category, []).append(m)
    return groups
