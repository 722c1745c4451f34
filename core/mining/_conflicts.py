"""Near-duplicate and conflicting requirements of one set, German and English, by rules.

Two requirements are **near duplicates** when they make the same claim (the same polarity,
bounds and named numbers, below) and either their texts are as similar as the batch routes'
near duplicates (core.similarity: trigram Jaccard >= NEAR_DUPLICATE_THRESHOLD) or their
subject-and-action words (below) are: 'ISO 9001' and 'ISO 27001' read alike but differ.

They **conflict** when they are about the same thing and say opposite things about it.
"The same thing" is what is left of each once the words that carry the claim are taken
out (numbers, units, bound words such as 'at most'/'höchstens', negations, modal and
auxiliary verbs, articles, prepositions and other function words): when those
subject-and-action words are at least
CONFLICT_MIN_SIMILARITY similar (the same trigram measure), the pair conflicts if

- one is negated and the other not ('must' vs 'must not', 'muss' vs 'darf nicht', 'shall
  never'): an odd number of negations that are not part of a bound ('not more than',
  'nicht überschreiten' state a limit, not a prohibition); or
- their numeric bounds on one dimension (time, data size, percent, a counted noun) cannot
  both hold or set two limits for the same thing: 'within 2 s' vs 'within 5 s', 'at least
  500 users' vs 'at most 200 users', 'for 90 days' vs 'for 30 days'; 'at least 3' and 'at
  most 30' together are a range, no conflict. Units are compared in their base unit
  (500 ms = 0.5 s); 'five' and 'fünf' are 5.

A conflicting pair is reported as a conflict only, whatever its text similarity. Word lists:
core/lexicons/mining.json (upper_bounds, lower_bounds, exact_bounds, upper_after,
lower_after, negations, auxiliaries, function_words, units).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Literal

from core.engines.base import Language
from core.engines.heuristic import detect_language
from core.engines.heuristic._lexicon import load
from core.engines.heuristic._measures import RANGE_LINKS
from core.engines.heuristic._text import is_number, is_word, tokenize
from core.mining._words import MiningWords, mining_words, unit_scales
from core.similarity import MAX_PAIRS, jaccard, near_duplicates, trigrams

PairKind = Literal["duplicate", "conflict"]
Op = Literal["<=", ">=", "="]
CLAUSE_ENDS = frozenset({",", ";", ":", "."})
SHOWN_BOUNDS = 3  # per requirement in a reason: a long text may set many
SAME_WORDING = "near-duplicate wording"
SAME_STATEMENT = "the same subject, action and bounds in other words"
LOOK_BACK = 4  # tokens a bound word may stand before its number ('innerhalb von', 'zu mindestens')
BEFORE: tuple[tuple[str, Op], ...] = (
    ("upper_bounds", "<="),
    ("lower_bounds", ">="),
    ("exact_bounds", "="),
)
AFTER: tuple[tuple[str, Op], ...] = (("upper_after", "<="), ("lower_after", ">="))


@dataclass(frozen=True, slots=True, order=True)
class Bound:
    """A number the requirement sets: its relation, value in the base unit, and dimension."""

    op: Op
    value: float
    dimension: str  # 's', 'B', '%', a counted noun ('users', 'zeichen'), or '' (bare)

    def shown(self) -> str:
        unit = f" {self.dimension}" if self.dimension else ""
        return f"{self.op} {self.value:g}{unit}"


@dataclass(frozen=True, slots=True)
class Statement:
    """What a requirement says, as far as comparing two of them needs."""

    about: str  # its subject-and-action words
    negated: bool
    bounds: tuple[Bound, ...]
    names: tuple[str, ...] = ()  # numbers that name something ('ISO 9001': '9001')


@dataclass(frozen=True, slots=True)
class Pair:
    """Two requirements (by index, a < b), how they relate and why; no text of theirs."""

    a: int
    b: int
    kind: PairKind
    reason: str
    similarity: float


def find_pairs(
    texts: Sequence[str],
    *,
    language: Language | None = None,
    duplicate_threshold: float,
    conflict_threshold: float,
) -> list[Pair]:
    """The near-duplicate and conflicting pairs of the texts, in input order of (a, b); at
    most MAX_PAIRS of them (conflicts first, then the most similar; each similarity search
    stops at MAX_PAIRS too, so a set of more near-identical pairs is answered in part)."""
    said = [statement(text, language or detect_language(text)) for text in texts]
    keyed = {str(n): s.about for n, s in enumerate(said)}
    found: dict[tuple[int, int], Pair] = {}
    grams = cache(lambda n: trigrams(texts[n]))  # a text in many pairs is cut once
    for close in near_duplicates(keyed, threshold=min(conflict_threshold, duplicate_threshold)):
        a, b = sorted((int(close.a), int(close.b)))
        similarity = round(jaccard(grams(a), grams(b)), 3)
        reason = contradiction(said[a], said[b]) if close.similarity >= conflict_threshold else None
        if reason is not None:
            found[(a, b)] = Pair(a, b, "conflict", reason, similarity)
        elif close.similarity >= duplicate_threshold and _same_claim(said[a], said[b]):
            found[(a, b)] = Pair(a, b, "duplicate", SAME_STATEMENT, similarity)
    wording = {str(n): text for n, text in enumerate(texts)}
    for twin in near_duplicates(wording, threshold=duplicate_threshold):
        a, b = sorted((int(twin.a), int(twin.b)))
        known = found.get((a, b))
        if (known is None or known.kind == "duplicate") and _same_claim(said[a], said[b]):
            found[(a, b)] = Pair(a, b, "duplicate", SAME_WORDING, twin.similarity)
    kept = sorted(found.values(), key=lambda p: (p.kind != "conflict", -p.similarity))[:MAX_PAIRS]
    return sorted(kept, key=lambda p: (p.a, p.b))


def _same_claim(first: Statement, second: Statement) -> bool:
    """The same polarity, bounds and named numbers: texts that differ in one of them say
    different things however alike they read ('ISO 9001' and 'ISO 27001')."""
    return (
        first.negated == second.negated
        and sorted(first.bounds) == sorted(second.bounds)
        and first.names == second.names
    )


def contradiction(first: Statement, second: Statement) -> str | None:
    """Why two statements about the same thing contradict each other, if they do."""
    if first.negated != second.negated:
        return "opposite polarity: one requires what the other negates"
    for dimension in dict.fromkeys(b.dimension for b in first.bounds):
        mine = [b for b in first.bounds if b.dimension == dimension]
        theirs = [b for b in second.bounds if b.dimension == dimension]
        if theirs and _contradict(_range(mine), _range(theirs)):
            shown = [", ".join(b.shown() for b in side[:SHOWN_BOUNDS]) for side in (mine, theirs)]
            return f"contradicting bounds: {shown[0]} vs {shown[1]}"
    return None


@dataclass(frozen=True, slots=True)
class _Range:
    """A requirement's bounds on one dimension: its limits ('at most', 'at least'; None when
    it sets none) and the interval it allows, exact values included."""

    upper: float | None
    lower: float | None
    low: float
    high: float


def _range(bounds: list[Bound]) -> _Range:
    uppers = [b.value for b in bounds if b.op == "<="]
    lowers = [b.value for b in bounds if b.op == ">="]
    exact = [b.value for b in bounds if b.op == "="]
    return _Range(
        min(uppers) if uppers else None,
        max(lowers) if lowers else None,
        max([*lowers, *exact], default=-math.inf),
        min([*uppers, *exact], default=math.inf),
    )


def _contradict(x: _Range, y: _Range) -> bool:
    """Two upper (or two lower) limits that differ, or ranges that do not meet: a value
    within a limit ('after 5 attempts', 'at most 10 attempts') is no conflict."""
    for a, b in ((x.upper, y.upper), (x.lower, y.lower)):
        if a is not None and b is not None and not math.isclose(a, b, rel_tol=1e-9):
            return True
    return max(x.low, y.low) > min(x.high, y.high)


def statement(text: str, language: Language) -> Statement:
    """The statement of one requirement text (see the module docstring)."""
    starts, ends, lowers = tokenize(text)
    written = tuple(text[a:b] for a, b in zip(starts, ends, strict=True))
    words = mining_words(language)
    used = [False] * len(lowers)
    bounds = [b for i in range(len(lowers)) for b in _bounds_at(written, lowers, i, words, used)]
    negations = words.words("negations")
    negated = sum(1 for i, t in enumerate(lowers) if t in negations and not used[i]) % 2 == 1
    left_out = (
        negations
        | words.words("auxiliaries")
        | words.words("function_words")
        | load(language).words("stopwords")
    )
    about = [t for i, t in enumerate(lowers) if not used[i] and is_word(t) and t not in left_out]
    names = tuple(sorted(t for i, t in enumerate(lowers) if not used[i] and is_number(t)))
    return Statement(" ".join(about), negated, tuple(bounds), names)


def _bounds_at(
    written: tuple[str, ...], lowers: tuple[str, ...], i: int, words: MiningWords, used: list[bool]
) -> list[Bound]:
    """The bounds a quantity starting at token i sets: none when there is no number there,
    or when the number names something ('ISO 9001', 'Kapitel 5', a bare '3' with no unit
    and no bound word: it stays one of the subject words); two for a range ('2 to 5 s')."""
    if used[i] or (value := _value(lowers[i], words)) is None or _names(written, i, words):
        return []
    end, dimension, factor = _unit(lowers, i + 1, words)
    link = i + 1
    if link + 1 < len(lowers) and lowers[link] in RANGE_LINKS:
        second = _value(lowers[link + 1], words)
        if second is not None:
            end, dimension, factor = _unit(lowers, link + 2, words)
            used[i:end] = [True] * (end - i)
            _op_before(lowers, i, words, used)  # 'zwischen', 'von': the range says it
            return [Bound(">=", value * factor, dimension), Bound("<=", second * factor, dimension)]
    op = _op_before(lowers, i, words, used) or _op_after(lowers, end, words, used)
    if op is None and not dimension:
        return []
    used[i:end] = [True] * (end - i)
    return [Bound(op or "=", value * factor, dimension)]


def _value(token: str, words: MiningWords) -> float | None:
    if is_number(token):
        return _number(token, words.language)
    spelled: dict[str, int] = words.data["number_words"]
    return float(spelled[token]) if token in spelled else None


def _names(written: tuple[str, ...], i: int, words: MiningWords) -> bool:
    """The number follows an acronym or an identifier word: it names, it does not measure."""
    if i == 0:
        return False
    before = written[i - 1]
    acronym = len(before) >= 2 and before.isalpha() and before.isupper()
    return acronym or before.lower() in words.words("identifier_words")


def _unit(lowers: tuple[str, ...], i: int, words: MiningWords) -> tuple[int, str, float]:
    """Where the quantity ends, its dimension and the factor to the base unit: a unit word
    ('ms' -> s, 0.001), else the noun it counts ('500 concurrent users': 'concurrent'; a
    counted noun stays a subject word), else nothing ('')."""
    if i < len(lowers) and lowers[i] in unit_scales():
        dimension, factor = unit_scales()[lowers[i]]
        return i + 1, dimension, factor
    if i >= len(lowers) or not is_word(lowers[i]) or is_number(lowers[i]):
        return i, "", 1.0
    stop = load(words.language).words("stopwords") | words.words("function_words")
    return i, ("" if lowers[i] in stop else lowers[i]), 1.0


def _number(token: str, language: Language) -> float | None:
    """'1.000,5' (de) or '1,000.5' (en) as a float; None when it reads as neither."""
    thousands, decimal = (".", ",") if language == "de" else (",", ".")
    if re.fullmatch(rf"\d{{1,3}}(?:{re.escape(thousands)}\d{{3}})+", token.split(decimal)[0]):
        token = token.replace(thousands, "")
    try:
        return float(token.replace(decimal, "."))
    except ValueError:
        return None


def _op_before(lowers: tuple[str, ...], i: int, words: MiningWords, used: list[bool]) -> Op | None:
    """The relation a bound word right before the number states ('at most 2', 'innerhalb
    von 2'), its tokens marked as used."""
    for key, op in BEFORE:
        phrases = words.phrases(key)
        for start in range(max(0, i - LOOK_BACK), i):
            found = phrases.match_at(lowers, start)
            if found is not None and start + len(found) == i and not any(used[start:i]):
                used[start:i] = [True] * (i - start)
                return _negated_bound(lowers, start, op, words, used)
    return None


def _negated_bound(
    lowers: tuple[str, ...], start: int, op: Op, words: MiningWords, used: list[bool]
) -> Op:
    """'must not take more than 2 s' is 'at most 2 s': a negation just before a bound word
    turns the bound round instead of negating the requirement."""
    for k in range(max(0, start - 2), start):
        if lowers[k] in words.words("negations") and not used[k] and op != "=":
            used[k] = True
            return "<=" if op == ">=" else ">="
    return op


def _op_after(
    lowers: tuple[str, ...], after: int, words: MiningWords, used: list[bool]
) -> Op | None:
    """The relation a bound phrase later in the number's clause states (German verb-final:
    '2 s nicht überschreiten'; 'or more'), its tokens marked as used."""
    for start in range(after, len(lowers)):
        if lowers[start] in CLAUSE_ENDS or is_number(lowers[start]):
            return None
        for key, op in AFTER:
            found = words.phrases(key).match_at(lowers, start)
            if found is not None:
                used[start : start + len(found)] = [True] * len(found)
                return op
    return None
