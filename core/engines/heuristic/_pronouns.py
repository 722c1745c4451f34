"""Ambiguous pronoun detector.

A personal pronoun is reported when at least two candidate antecedents that agree with it
precede it in its sentence and the one before (candidates and their features come from
_antecedents: number and person in English, gender and number in German). A pronoun with no
candidate before it in its own sentence continues the subject of the previous sentence when
that subject agrees (centering), so the previous sentence then offers one candidate. Dummy
pronouns refer to nothing and are skipped ("It shall be possible to", "make it possible to",
"it seems that", "es muss sichergestellt sein", "es gibt"), and so is the German formal address
("Sie", "Ihre" inside a sentence).

Demonstratives count when they stand for a noun ("this shall", "this includes", "that of the
server", "those defined in", "dies"), a non-restrictive relative (", which", ", was") when two
candidates precede it, a relative pronoun cut off from its noun by a verb ("a scheme shall be
provided which permits") always, and an elliptic indefinite ("from one area to another", "zu
einem anderen") always: the reader has to supply the noun.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from core.engines.base import Language
from core.engines.heuristic._antecedents import (
    PREP,
    VERB,
    Candidates,
    Grammar,
    candidates,
    grammar,
    participle,
    plural_form,
    word_kind,
)
from core.engines.heuristic._hits import Ctx, Hit
from core.engines.heuristic._lexicon import load
from core.engines.heuristic._text import SENTENCE_MARKS, is_word

MIN_CANDIDATES = 2
NOUN_REACH = 3  # German: a determiner with no noun in the next three words is a pronoun
SUBJECT_REACH = 8  # centering looks for the subject among a sentence's first words


@dataclass(frozen=True, slots=True)
class Words:
    """The detector's word lists of one language (lexicon key 'pronouns')."""

    watched: frozenset[str]
    demonstrative: frozenset[str]
    relative: frozenset[str]
    displaced: frozenset[str]
    elliptic: frozenset[str]
    formal: frozenset[str]
    expletive: frozenset[str]
    expletive_verbs: frozenset[str]
    expletive_adjectives: frozenset[str]
    expletive_links: frozenset[str]
    expletive_after: frozenset[str]
    expletive_skip: frozenset[str]
    expletive_complements: frozenset[str]
    expletive_reach: int
    modal: frozenset[str]
    stop_after: frozenset[str]  # a word after a demonstrative that shows it stands alone
    such: frozenset[str]
    substitutes: frozenset[str]  # demonstratives standing for a noun ("that of")
    clause_start: frozenset[str]


@cache
def words(language: Language) -> Words:
    """Compile the detector's word lists; cached per language."""
    lex = load(language)

    def w(key: str) -> frozenset[str]:
        return lex.words(f"pron_{key}")

    lists = ("personal", "demonstrative", "relative_clause", "displaced_relative", "elliptic")
    return Words(
        watched=frozenset().union(*(w(k) for k in lists)),
        demonstrative=w("demonstrative"),
        relative=w("relative_clause"),
        displaced=w("displaced_relative"),
        elliptic=w("elliptic"),
        formal=w("formal_address"),
        expletive=w("expletive"),
        expletive_verbs=w("expletive_verbs"),
        expletive_adjectives=w("expletive_adjectives"),
        expletive_links=w("expletive_links"),
        expletive_after=w("expletive_after"),
        expletive_skip=w("expletive_after") | w("expletive_chain"),
        expletive_complements=w("expletive_adjectives") | w("expletive_next"),
        expletive_reach=lex.data["pronouns"].get("expletive_reach", 1),
        modal=lex.words("modal_words"),
        stop_after=w("stop_after"),
        such=w("such"),
        substitutes=w("substitutes"),
        clause_start=w("clause_start"),
    )


def detect_pronouns(ctx: Ctx) -> list[Hit]:
    """Findings for pronouns whose reference is unclear."""
    lowers = ctx.doc.lowers
    w = words(ctx.lex.language)
    spots = [i for i, t in enumerate(lowers) if t in w.watched]
    if not spots:
        return []
    g = grammar(ctx.lex.language)
    # Candidates are needed from the sentence before the first pronoun up to the last one.
    found = candidates(ctx.doc, g, _window(ctx, spots[0])[0], spots[-1])
    return [
        Hit("ambiguous_pronoun", ctx.doc.starts[i], ctx.doc.ends[i])
        for i in spots
        if _unclear(ctx, g, w, i, found)
    ]


def _unclear(ctx: Ctx, g: Grammar, w: Words, i: int, found: Candidates) -> bool:
    tok = ctx.doc.lowers[i]
    if tok in g.personal:
        if _formal(ctx, w, i) or _expletive(ctx, w, i):
            return False
        return _agreeing(ctx, g, i, found) >= MIN_CANDIDATES
    if tok in w.displaced and _displaced(ctx, g, i, found):
        return True
    if tok in w.demonstrative:
        return _standalone(ctx, g, w, i) or _substitute(ctx, g, w, i)
    if tok in w.relative:
        lo, _ = _window(ctx, i)
        return _sentential(ctx, g, i) and found.count(lo, i) >= MIN_CANDIDATES
    return tok in w.elliptic and not _noun_follows(ctx, g, i)


def _window(ctx: Ctx, i: int) -> tuple[int, int]:
    """First token of the previous sentence (or of this one) and of this sentence."""
    doc = ctx.doc
    k = doc.sentence_of(i)
    own = doc.sentences[k][0]
    return (doc.sentences[k - 1][0] if k > 0 else own), own


def _agreeing(ctx: Ctx, g: Grammar, i: int, found: Candidates) -> int:
    """Candidates the pronoun can refer to, in its sentence and the previous one."""
    lo, own_start = _window(ctx, i)
    mask, fallback = g.agreement.get(ctx.doc.lowers[i], (-1, 0))
    if not found.count(lo, i, mask):
        mask |= fallback  # singular 'they' for a person, read only when no plural is at hand
    own, prev = found.count(own_start, i, mask), found.count(lo, own_start, mask)
    first = found.first(lo, own_start)
    if own == 0 and prev > 1 and first and first.mask & mask and _subject(ctx, g, lo, first.head):
        return 1  # 'The server logs errors. It also ...': the pronoun continues the subject
    return own + prev


def _subject(ctx: Ctx, g: Grammar, lo: int, head: int) -> bool:
    """A sentence's first noun phrase is its subject when no preposition or clause opens it."""
    lowers = ctx.doc.lowers
    return head - lo <= SUBJECT_REACH and all(
        is_word(lowers[j]) and lowers[j] not in g.clause_openers and word_kind(g, lowers[j]) != PREP
        for j in range(lo, head)
    )


def _formal(ctx: Ctx, w: Words, i: int) -> bool:
    """German 'Sie'/'Ihre' written capitalised inside a sentence address the reader."""
    doc = ctx.doc
    if i == 0 or doc.lowers[i] not in w.formal or not doc.text[doc.starts[i]].isupper():
        return False
    return doc.lowers[i - 1] not in SENTENCE_MARKS | {":"} and doc.sentence_of(
        i - 1
    ) == doc.sentence_of(i)


def _expletive(ctx: Ctx, w: Words, i: int) -> bool:
    """'It shall be possible to', 'make it possible to', 'it seems that', 'es gibt'."""
    lowers = ctx.doc.lowers
    if lowers[i] not in w.expletive or i + 1 >= len(lowers):
        return False
    nxt = lowers[i + 1 : i + 3]
    if nxt[0] in w.expletive_verbs or " ".join(nxt) in w.expletive_verbs:
        return True
    if len(nxt) == 2 and nxt[0] in w.expletive_adjectives and nxt[1] in w.expletive_links:
        return True  # the pronoun is an object: 'makes it possible to', 'macht es möglich,'
    if nxt[0] not in w.expletive_after:
        return False
    j = i + 1
    while j < len(lowers) and lowers[j] in w.expletive_skip:
        j += 1
    # German puts objects before the participle ('es muss dabei mit dem Verlust gerechnet
    # werden'), so its lexicon looks further than the one English word.
    return any(t in w.expletive_complements for t in lowers[j : j + w.expletive_reach])


def _standalone(ctx: Ctx, g: Grammar, w: Words, i: int) -> bool:
    """A demonstrative stands alone when no noun follows it (then it is a pronoun)."""
    lowers = ctx.doc.lowers
    nxt = lowers[i + 1] if i + 1 < len(lowers) else "."
    if lowers[i] in w.such:
        return nxt not in {"as", "that", "wie", "dass"}
    if g.german:
        return lowers[i] == "dies" or not _noun_follows(ctx, g, i)
    if lowers[i] == "that":
        return (i == 0 or lowers[i - 1] in w.clause_start) and (nxt in w.modal or _verb(ctx, i + 1))
    if lowers[i] == "this" and _verb(ctx, i + 1):
        return True
    return not is_word(nxt) or nxt in w.modal or nxt in w.stop_after


def _verb(ctx: Ctx, j: int) -> bool:
    """A lower-case '-s' word after 'this'/'that' is a verb ('this encompasses'): a singular
    demonstrative cannot stand before a plural noun."""
    doc = ctx.doc
    return j < len(doc.lowers) and doc.text[doc.starts[j]].islower() and plural_form(doc.lowers[j])


def _substitute(ctx: Ctx, g: Grammar, w: Words, i: int) -> bool:
    """'that of the server', 'those defined in section 4': the demonstrative replaces a noun."""
    lowers = ctx.doc.lowers
    if g.german or lowers[i] not in w.substitutes or i + 2 >= len(lowers):
        return False
    nxt, after = lowers[i + 1], lowers[i + 2]
    if nxt in g.partitive_links:
        return lowers[i] != "these"
    return participle(g, nxt) and (word_kind(g, after) == PREP or not is_word(after))


def _displaced(ctx: Ctx, g: Grammar, i: int, found: Candidates) -> bool:
    """'A scheme shall be provided which permits ...': the relative clause is cut off from its
    noun by a verb, so it may belong to any noun before."""
    lowers = ctx.doc.lowers
    if i == 0 or i + 1 >= len(lowers) or not participle(g, lowers[i - 1]):
        return False
    return not found.count(i - 1, i) and _finite(g, lowers, i + 1)


def _finite(g: Grammar, lowers: tuple[str, ...], j: int) -> bool:
    """A modal or auxiliary, or a known verb in '-s' not followed by one: 'which permits
    users' has a verb, 'that records are kept' a plural noun."""
    low, after = lowers[j], lowers[j + 1] if j + 1 < len(lowers) else "."
    if word_kind(g, low) == VERB:
        return True
    stem = low[:-2] if low.endswith("es") and low[:-2] in g.verbs else low[:-1]
    return plural_form(low) and stem in g.verbs and word_kind(g, after) != VERB


def _sentential(ctx: Ctx, g: Grammar, i: int) -> bool:
    """', which' / ', was' opening a clause; not 'which' as a determiner (', which data')."""
    return i > 0 and ctx.doc.lowers[i - 1] == "," and (g.german or not _noun_follows(ctx, g, i))


def _noun_follows(ctx: Ctx, g: Grammar, i: int) -> bool:
    """A noun right after the word: an English content word, a German capitalised word among
    the next few words of the same phrase."""
    doc = ctx.doc
    if not g.german:
        nxt = doc.lowers[i + 1] if i + 1 < len(doc.lowers) else "."
        return word_kind(g, nxt) == 0 and not plural_form(nxt)
    for j in range(i + 1, min(i + 1 + NOUN_REACH, len(doc.lowers))):
        if not is_word(doc.lowers[j]):
            return False
        if doc.text[doc.starts[j]].isupper():
            return True
    return False
