"""Tokenisation and sentence/clause segmentation shared by every detector.

Tokens are words, numbers and single punctuation marks, so multi-word phrases ("and so on",
"z. B.", "km/h") match as token sequences whatever the spacing. Every pattern here is linear:
separators are mandatory inside repetitions and the number pattern is possessive, so no input
can make the tokenizer backtrack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)*+|\w+(?:[-'’]\w+)*+|[^\w\s]")
CLAUSE_MARKS = frozenset({",", ";", ":", "(", ")", "–", "—", "[", "]"})
SENTENCE_MARKS = frozenset({".", "!", "?"})


@dataclass(frozen=True, slots=True)
class Doc:
    """A tokenised requirement: parallel token arrays plus sentence and clause indexes."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    lowers: tuple[str, ...]
    sentences: tuple[tuple[int, int], ...]
    clause_of: tuple[int, ...]
    sentence_index: tuple[int, ...]
    clause_bounds: tuple[tuple[int, int], ...]
    words: tuple[int, ...]

    def token(self, i: int) -> str:
        """Return token i as written."""
        return self.text[self.starts[i] : self.ends[i]]

    def sentence_of(self, i: int) -> int:
        """Return the index of the sentence that holds token i."""
        return self.sentence_index[i] if self.sentence_index else 0


def tokenize(text: str) -> tuple[tuple[int, ...], tuple[int, ...], tuple[str, ...]]:
    """Split text into token start offsets, end offsets and lower-cased forms."""
    spans = [m.span() for m in TOKEN_RE.finditer(text)]
    if not spans:
        return (), (), ()
    starts, ends = zip(*spans, strict=True)
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters change length when lower-cased
        return starts, ends, tuple([text[s:e].lower() for s, e in spans])
    return starts, ends, tuple([lowered[s:e] for s, e in spans])


def build_doc(text: str, abbreviations: frozenset[str]) -> Doc:
    """Tokenise text and find its sentences and clauses."""
    starts, ends, lowers = tokenize(text)
    bounds = _sentence_bounds(text, starts, lowers, abbreviations)
    sentences = tuple(zip(bounds[:-1], bounds[1:], strict=True))
    sentence_index = [k for k, (lo, hi) in enumerate(sentences) for _ in range(lo, hi)]
    clause_of: list[int] = []
    clause_starts: list[int] = []
    cuts = set(bounds)
    for i, low in enumerate(lowers):
        if i in cuts or low in CLAUSE_MARKS or not clause_starts:
            clause_starts.append(i)
        clause_of.append(len(clause_starts) - 1)
    ends_of_clauses = [*clause_starts[1:], len(lowers)] if clause_starts else []
    clause_bounds = tuple(zip(clause_starts, ends_of_clauses, strict=True))
    words = tuple([i for i, low in enumerate(lowers) if low[0].isalnum() or low[0] == "_"])
    return Doc(
        text,
        starts,
        ends,
        lowers,
        sentences,
        tuple(clause_of),
        tuple(sentence_index),
        clause_bounds,
        words,
    )


def _sentence_bounds(
    text: str, starts: tuple[int, ...], lowers: tuple[str, ...], abbreviations: frozenset[str]
) -> list[int]:
    """Token indexes where sentences start, plus the end index.

    Only tokens after a full stop (or after a line break) can open a sentence, so only those
    are inspected.
    """
    n = len(lowers)
    if not n:
        return [0, 0]
    candidates = {i + 1 for i, low in enumerate(lowers) if low in SENTENCE_MARKS}
    if "\n" in text:
        candidates.update(i for i in range(1, n) if "\n" in text[starts[i - 1] : starts[i]])
    bounds = [0]
    for i in sorted(candidates):
        if i >= n or not _opens_sentence(text[starts[i]]):
            continue
        prev = lowers[i - 1]
        if prev in SENTENCE_MARKS:
            if _ends_sentence(lowers, i - 1, abbreviations):
                bounds.append(i)
        elif prev not in CLAUSE_MARKS:  # a line break without a full stop
            bounds.append(i)
    bounds.append(n)
    return bounds


def _opens_sentence(first: str) -> bool:
    return first.isupper() or first.isdigit() or first in "-•*"


def _ends_sentence(lowers: tuple[str, ...], mark: int, abbreviations: frozenset[str]) -> bool:
    """A full stop ends a sentence unless it closes an abbreviation or an ordinal number."""
    if lowers[mark] != "." or mark == 0:
        return True
    before = lowers[mark - 1]
    return len(before) > 1 and before not in abbreviations and not before[0].isdigit()


def is_number(token: str) -> bool:
    """True for numeric tokens such as 2, 0,15 or 1.000."""
    return token[:1].isdigit() and token.replace(".", "").replace(",", "").isdigit()


def is_word(token: str) -> bool:
    """True for word tokens (letters or digits), False for punctuation."""
    return token[:1].isalnum() or token[:1] == "_"
