"""The word lists of mining (core/lexicons/mining.json) and a matcher for their phrases.

A phrase is a token sequence; a '*' at either end of one of its words lets that token have
any prefix or suffix, which is how German compounds are found ('*verfügbarkeit' matches
'Systemverfügbarkeit') without a decompounder.
"""

from __future__ import annotations

import json
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


def match_at(lowers: tuple[str, ...], i: int, phrases: tuple[Phrase, ...]) -> Phrase | None:
    """The longest phrase that starts at token i, if any."""
    for candidate in phrases:
        n = len(candidate)
        if i + n <= len(lowers) and all(
            part.fits(lowers[i + k]) for k, part in enumerate(candidate)
        ):
            return candidate
    return None


def find(lowers: tuple[str, ...], phrases: tuple[Phrase, ...]) -> bool:
    """True when any phrase occurs in the tokens."""
    return any(match_at(lowers, i, phrases) is not None for i in range(len(lowers)))


@dataclass(frozen=True, slots=True)
class MiningWords:
    """The compiled lists of one language (see core/lexicons/mining.json)."""

    language: Language
    data: dict[str, Any]

    def phrases(self, key: str) -> tuple[Phrase, ...]:
        """A list as phrases, longest first (so 'sollte nicht' wins over 'sollte')."""
        return _compiled(self.language, key)

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
def _compiled(language: Language, key: str) -> tuple[Phrase, ...]:
    written: list[str] = _data()[language][key]
    return tuple(sorted((phrase(w) for w in written), key=lambda p: -len(p)))
