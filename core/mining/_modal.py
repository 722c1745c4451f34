"""The modal verb that makes a sentence a requirement, or None: what binds and what does not.

The rules follow the standards the heuristic engine uses, with its word lists:

- Binding (DIN 820-2 Anhang H, ISO/IEC/IEEE 29148 5.2.4): muss/müssen, soll/sollen,
  ist/sind/hat/haben ... zu + infinitive, darf/dürfen nicht; shall, must, is required to,
  has to, needs to. Recommendations (sollte, should) are requirements of a lower level, so
  they are candidates too; an opening `Sollte ...,`/`Should ...,` is a condition, not a modal.
- darf/dürfen alone grant a permission (DIN 820-2) and bind nothing; with a limit in their
  clause (nicht, nur, kein, maximal, a number) they state a prohibition or a limit.
- kann/können, may/can state a possibility or an ability: not requirements in lower case.
  In capitals (RFC 2119, and the MUSS/SOLL/KANN convention of German specifications) every
  keyword, KANN and MAY included, marks a requirement of its level.
- will: ISO 29148 reserves it for statements of fact, and documents use it for the future
  of the world ("the number of users will double"). It is a candidate only when a system
  word (the EARS lists: system, application, service, user, ...) is its subject, the usage
  of specifications that write "The system will log ..." for an obligation.
"""

from __future__ import annotations

from functools import cache

from core.engines.base import Language
from core.engines.heuristic._lexicon import load
from core.engines.heuristic._text import CLAUSE_MARKS, SENTENCE_MARKS, is_number, tokenize
from core.mining._words import Phrase, PhraseSet, mining_words, phrase

NEGATORS = frozenset({"not", "nicht"})
# A modal between quotes is mentioned, not used ('"shall" marks a mandatory requirement').
QUOTES = frozenset({'"', "'", "„", "“", "”", "‚", "‘", "’", "»", "«"})


def find_modal(text: str, language: Language) -> str | None:
    """The modal of a sentence as written (lower case; capitals kept), or None."""
    starts, ends, lowers = tokenize(text)
    written = tuple(text[s:e] for s, e in zip(starts, ends, strict=True))
    capital = _capital(written, language)
    if capital is not None:
        return capital
    for i in range(len(lowers)):
        modal = _modal_at(lowers, i, language)
        if modal is not None:
            return modal
    return None


def _capital(written: tuple[str, ...], language: Language) -> str | None:
    words = mining_words(language)
    keywords, negations = words.words("capital_modals"), words.words("capital_negations")
    for i, word in enumerate(written):
        if word in keywords and not _quoted(written, i, 1):
            following = written[i + 1] if i + 1 < len(written) else ""
            return f"{word} {following}" if following in negations else word
    return None


def _modal_at(lowers: tuple[str, ...], i: int, language: Language) -> str | None:
    found = _obligations(language).match_at(lowers, i)
    if found is None:
        return _zu_infinitive(lowers, i, language)
    n = len(found)
    if _quoted(lowers, i, n):
        return None
    first = lowers[i]
    lex = load(language)
    if i == 0 and found in _recommendations(language):
        return None  # "Should the sensor fail, ..." is the condition
    if first in lex.words("permission_modals"):
        limit = _limit_in_clause(lowers, i, language)
        return None if limit is None else f"{first} {limit}"
    if found in _facts(language) and not _system_subject(lowers, i, language):
        return None
    modal = " ".join(lowers[i : i + n])
    if i + n < len(lowers) and lowers[i + n] in NEGATORS and lowers[i + n - 1] not in NEGATORS:
        modal += f" {lowers[i + n]}"
    return modal


def _quoted(lowers: tuple[str, ...], i: int, n: int) -> bool:
    return 0 < i and i + n < len(lowers) and lowers[i - 1] in QUOTES and lowers[i + n] in QUOTES


def _limit_in_clause(lowers: tuple[str, ...], i: int, language: Language) -> str | None:
    """The first word of darf's clause that limits the permission ('nicht', 'nur', '5')."""
    limits = load(language).words("permission_limits")
    lo, hi = _clause(lowers, i)
    for token in lowers[lo:hi]:
        if token in limits or is_number(token):
            return token
    return None


def _system_subject(lowers: tuple[str, ...], i: int, language: Language) -> bool:
    lo, _ = _clause(lowers, i)
    return any(t in load(language).words("ears_system_words") for t in lowers[lo:i])


def _zu_infinitive(lowers: tuple[str, ...], i: int, language: Language) -> str | None:
    """German 'ist ... zu prüfen' / 'hat ... zu erfolgen' / 'sind Name, ... anzugeben'
    (DIN 820-2: muss): an auxiliary, then a zu-infinitive closing a later clause of the
    sentence that no subordinator or 'um' opens ('ist zu groß' is no obligation, nor is
    'ist zu groß, um sie hochzuladen')."""
    words = mining_words(language)
    if lowers[i] not in words.words("zu_auxiliaries"):
        return None
    lex = load(language)
    openers = lex.words("subordinators") | {lex.data.get("purpose_frames", {}).get("open", "")}
    lo, hi = _clause(lowers, i)
    while hi > lo:
        if _ends_with_zu_infinitive(lowers[i + 1 : hi], language):
            return f"{lowers[i]} zu"
        # a later clause opened by a subordinator, 'um' or a bare 'zu' ("hat keine Lust, zu
        # arbeiten") is not the auxiliary's complement
        if hi + 1 >= len(lowers) or lowers[hi + 1] in openers | {"zu"}:
            return None
        lo, hi = _clause(lowers, hi + 1)
    return None


def _ends_with_zu_infinitive(tokens: tuple[str, ...], language: Language) -> bool:
    endings = tuple(mining_words(language).words("infinitive_endings"))
    while tokens and tokens[-1] in SENTENCE_MARKS:
        tokens = tokens[:-1]
    if not tokens or not tokens[-1].endswith(endings):
        return False
    return (len(tokens) >= 2 and tokens[-2] == "zu") or _fused_zu(tokens[-1], language)


def _fused_zu(word: str, language: Language) -> bool:
    """A separable verb takes 'zu' inside: vor|zu|schlagen, um|zu|setzen, an|zu|geben."""
    for prefix in load(language).words("separable_prefixes"):
        if word.startswith(prefix + "zu") and len(word) > len(prefix) + 4:
            return True
    return False


def _clause(lowers: tuple[str, ...], i: int) -> tuple[int, int]:
    """Token range of the clause holding token i, in a one-sentence text."""
    marks = CLAUSE_MARKS
    lo = i
    while lo > 0 and lowers[lo - 1] not in marks:
        lo -= 1
    hi = i
    while hi < len(lowers) and lowers[hi] not in marks:
        hi += 1
    return lo, hi


@cache
def _obligations(language: Language) -> PhraseSet:
    """Binding modals (the heuristic engine's list, without the bare 'ist zu' forms that
    _zu_infinitive checks), recommendations and fact modals; longest first."""
    zu = {f"{aux} zu" for aux in mining_words(language).words("zu_auxiliaries")}
    written = [w for w in load(language).data["binding_modals"] if w not in zu]
    found = [phrase(w) for w in written] + list(_recommendations(language) + _facts(language))
    return PhraseSet.of(found)


@cache
def _recommendations(language: Language) -> tuple[Phrase, ...]:
    return mining_words(language).phrase_list("recommendations")


@cache
def _facts(language: Language) -> tuple[Phrase, ...]:
    return mining_words(language).phrase_list("fact_modals")
