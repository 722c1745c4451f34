"""The word lists of mining (core/lexicons/mining.json) and a matcher for their phrases.

A phrase is a token sequence; a '*' at either end of one of its words lets that token have
any prefix or suffix, which is how German compounds are found ('*verfügbarkeit' matches
'Systemverfügbarkeit') without a decompounder.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from core.engines.base import Language
from core.engines.heuristic._lexicon import LEXICON_DIR
from core.engines.heuristic._text import TOKEN_RE


@dataclass(frozen=True, slots=True)
class Part:
    """One token of a phrase; `head`/`tail`: any prefix/suffix is allowed."""

    text: str
    head: bool = False
    tail: bool = False

    def fits(self, token: str) -> bool:
        if self.head and self.tail:
            return self.text in token
        if self.head:
            return token.endswith(self.text)
        if self.tail:
            return token.startswith(self.text)
        return token == self.text


Phrase = tuple[Part, ...]


def phrase(written: str) -> Phrase:
    """The parts of a written phrase, tokenised as the text is."""
    parts: list[Part] = []
    for word in written.lower().split():
        head, tail = word.startswith("*"), word.endswith("*")
        tokens = [m.group() for m in TOKEN_RE.finditer(word.strip("*"))]
        for k, token in enumerate(tokens):
            parts.append(Part(token, head and k == 0, tail and k == len(tokens) - 1))
    return tuple(parts)


@dataclass(frozen=True, slots=True)
class PhraseSet:
    """A compiled list: phrases by their first token, and one regular expression for all
    single words with a '*', so a text costs one lookup and one search per token."""

    by_first: dict[str, tuple[Phrase, ...]]  # longest first
    wild_first: tuple[Phrase, ...]  # phrases of several tokens whose first one has a '*'
    wild_single: re.Pattern[str] | None

    @classmethod
    def of(cls, phrases: list[Phrase]) -> PhraseSet:
        by_first: dict[str, list[Phrase]] = {}
        wild_first: list[Phrase] = []
        wild_single: list[Part] = []
        for p in sorted(phrases, key=lambda p: -len(p)):
            if not (p[0].head or p[0].tail):
                by_first.setdefault(p[0].text, []).append(p)
            elif len(p) == 1:
                wild_single.append(p[0])
            else:
                wild_first.append(p)
        pattern = "|".join(
            ("" if part.head else "^") + re.escape(part.text) + ("" if part.tail else "$")
            for part in wild_single
        )
        return cls(
            {first: tuple(group) for first, group in by_first.items()},
            tuple(wild_first),
            re.compile(pattern) if pattern else None,
        )

    def match_at(self, lowers: tuple[str, ...], i: int) -> Phrase | None:
        """The longest phrase with an exact first token that starts at token i, if any."""
        for candidate in self.by_first.get(lowers[i], ()):
            if _fits(lowers, i, candidate):
                return candidate
        return None

    def found_in(self, lowers: tuple[str, ...]) -> bool:
        """True when any phrase of the list occurs in the tokens."""
        wild = self.wild_single
        for i, token in enumerate(lowers):
            if self.match_at(lowers, i) is not None or (wild is not None and wild.search(token)):
                return True
            if any(_fits(lowers, i, p) for p in self.wild_first):
                return True
        return False


def _fits(lowers: tuple[str, ...], i: int, candidate: Phrase) -> bool:
    n = len(candidate)
    return i + n <= len(lowers) and all(
        part.fits(lowers[i + k]) for k, part in enumerate(candidate)
    )


@dataclass(frozen=True, slots=True)
class MiningWords:
    """The compiled lists of one language (see core/lexicons/mining.json)."""

    language: Language
    data: dict[str, Any]

    def phrases(self, key: str) -> PhraseSet:
        """A list compiled for matching; longest phrase first ('sollte nicht' over 'sollte')."""
        return _compiled(self.language, key)

    def phrase_list(self, key: str) -> tuple[Phrase, ...]:
        """A list as phrases, to compare a match with."""
        return tuple(phrase(w) for w in self.data[key])

    def words(self, key: str) -> frozenset[str]:
        """A list as exact strings, case kept (the capital modals are case-sensitive)."""
        return frozenset(self.data[key])


@cache
def mining_words(language: Language) -> MiningWords:
    """The lists of one language, read once."""
    return MiningWords(language, _data()[language])


@cache
def _data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((LEXICON_DIR / "mining.json").read_text(encoding="utf-8"))
    return data


@cache
def _compiled(language: Language, key: str) -> PhraseSet:
    written: list[str] = _data()[language][key]
    return PhraseSet.of([phrase(w) for w in written])


@cache
def unit_scales() -> dict[str, tuple[str, float]]:
    """Unit word -> (dimension, factor to the dimension's base unit): 'ms' -> ('s', 0.001)."""
    return {word: (dim, float(factor)) for word, (dim, factor) in _data()["units"].items()}
