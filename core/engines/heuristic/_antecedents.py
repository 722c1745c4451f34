"""Candidate antecedents of pronouns: the noun phrases of a text and their agreement features.

No parser. English noun phrases are runs of content words between function words, headed by
their last word; German nouns are the capitalised words. Each candidate carries agreement
features as a bit mask (English: singular thing, plural, singular person; German: masculine,
feminine, neuter, plural) read from its determiner or the form of its noun, so that a pronoun
only counts the candidates it can grammatically refer to. Nouns that cannot be referents are
left out: the noun of a complex preposition ("in accordance with", "im Rahmen der") and a
quantity noun before its noun ("a number of requests", "eine Anzahl der Anfragen").
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from functools import cache
from itertools import accumulate
from typing import NamedTuple

from core.engines.base import Language
from core.engines.heuristic._lexicon import load
from core.engines.heuristic._text import CLAUSE_MARKS, Doc

# s singular thing, p plural, h singular person (EN); m, f, n grammatical gender (DE).
FEATURES = "sphmfn"
# What a function word does to a run of content words.
DET, PREP, BREAK, VERB = 1, 2, 3, 4
ARTICLE_REACH = 4  # a German article governs a noun at most this many tokens later
COORDINATION_REACH = 4


def mask_of(letters: str) -> int:
    """Bit mask of feature letters ('fp' -> feminine | plural)."""
    return sum(1 << FEATURES.index(c) for c in set(letters))


SINGULAR, PLURAL, PERSON = mask_of("s"), mask_of("p"), mask_of("h")


class Candidate(NamedTuple):
    """A noun phrase a pronoun may refer to: its head token and agreement features."""

    head: int
    mask: int


@dataclass(frozen=True, slots=True)
class Grammar:
    """The word classes and agreement tables of one language, compiled once."""

    german: bool
    unknown: int  # features of a noun whose form and determiner say nothing
    agreement: dict[str, tuple[int, int]]  # pronoun -> (features, fallback features)
    determiners: dict[str, int]  # determiner -> features it fixes (0: none)
    kinds: dict[str, int]  # function word -> DET / PREP / BREAK / VERB
    clause_openers: frozenset[str]
    conjunctions: frozenset[str]
    personal: frozenset[str]
    persons: frozenset[str]
    neutral: frozenset[str]
    partitives: frozenset[str]
    partitive_links: frozenset[str]
    idioms: frozenset[str]
    participles: frozenset[str]
    not_participles: frozenset[str]
    verbs: frozenset[str]
    adverb_suffix: str


@cache
def grammar(language: Language) -> Grammar:
    """Compile the agreement tables and word classes of a lexicon; cached per language."""
    lex = load(language)
    pron, words = lex.data["pronouns"], lex.words
    personal = words("pron_personal")
    pronouns = personal | words("pron_formal_address")
    kinds = dict.fromkeys(words("pron_np_breaks") | words("subordinators") | pronouns, BREAK)
    kinds.update(dict.fromkeys(words("pron_verb_markers") | words("modal_words"), VERB))
    kinds.update(dict.fromkeys(words("pron_prepositions"), PREP))
    features = pron["determiner_features"]
    kinds.update(dict.fromkeys(words("pron_determiners") | features.keys(), DET))
    german = language == "de"
    return Grammar(
        german=german,
        unknown=mask_of("mfnp" if german else "sp"),
        agreement={w: _agreement(f) for w, f in pron["agreement"].items()},
        determiners={w: mask_of(f) for w, f in features.items()},
        kinds=kinds,
        clause_openers=words("subordinators") | CLAUSE_MARKS,
        conjunctions=frozenset(c for c in lex.data["conjunctions"] if " " not in c),
        personal=personal,
        persons=words("pron_person_nouns"),
        neutral=words("pron_number_neutral"),
        partitives=words("pron_partitives"),
        partitive_links=words("pron_partitive_links"),
        idioms=words("pron_idiom_nouns"),
        participles=words("passive_irregular_participles"),
        not_participles=words("passive_not_participles"),
        verbs=words("verbs"),
        adverb_suffix=pron.get("adverb_suffix", ""),
    )


def _agreement(spec: str) -> tuple[int, int]:
    """'p/h' -> (plural, person): the part after the slash counts only when the first finds
    nothing (English singular 'they' for a person, read only when no plural is at hand)."""
    first, _, fallback = spec.partition("/")
    return mask_of(first), mask_of(fallback)


class Candidates:
    """Candidates in text order, counted over token ranges in logarithmic time (a text full
    of pronouns must not cost quadratic time)."""

    __slots__ = ("found", "heads", "prefix")

    def __init__(self, found: list[Candidate]) -> None:
        self.found = found
        self.heads = [c.head for c in found]
        self.prefix: dict[int, list[int]] = {}  # mask -> running count of agreeing candidates

    def count(self, lo: int, hi: int, mask: int = -1) -> int:
        """Candidates with their head in [lo, hi) that share a feature with mask."""
        prefix = self.prefix.get(mask)
        if prefix is None:
            agreeing = (bool(c.mask & mask) for c in self.found)
            prefix = self.prefix[mask] = list(accumulate(agreeing, initial=0))
        return prefix[bisect_left(self.heads, hi)] - prefix[bisect_left(self.heads, lo)]

    def first(self, lo: int, hi: int) -> Candidate | None:
        """The first candidate with its head in [lo, hi)."""
        k = bisect_left(self.heads, lo)
        return self.found[k] if k < len(self.found) and self.found[k].head < hi else None


def candidates(doc: Doc, g: Grammar, lo: int = 0, hi: int | None = None) -> Candidates:
    """Candidate antecedents among tokens [lo, hi), coordinated pairs also as one plural;
    lo must open a sentence."""
    hi = len(doc.lowers) if hi is None else hi
    if g.german:
        found = _german(doc, g, lo, hi)
    else:
        found = [c for run in _runs(doc, g, lo, hi) for c in _heads(doc, g, run)]
    lowers = doc.lowers
    groups = [
        Candidate(b.head, PLURAL)
        for a, b in zip(found, found[1:], strict=False)
        if b.head - a.head <= COORDINATION_REACH and _coordinated(g, lowers[a.head + 1 : b.head])
    ]
    return Candidates(sorted(found + groups) if groups else found)


def _coordinated(g: Grammar, between: tuple[str, ...]) -> bool:
    """'the sensor and the (new) controller': a conjunction right after the first noun, then
    an optional determiner and adjectives; 'the map and allow the user' is no coordination."""
    if not between or between[0] not in g.conjunctions:
        return False
    rest = between[2:] if len(between) > 1 and g.kinds.get(between[1]) == DET else between[1:]
    return all(word_kind(g, t) == 0 for t in rest)


def referential(doc: Doc, g: Grammar, j: int) -> bool:
    """False for nouns that name no thing: 'in accordance with', 'a number of', 'im Rahmen der'."""
    low = doc.lowers[j]
    nxt = doc.lowers[j + 1] if j + 1 < len(doc.lowers) else "."
    if low in g.partitives and nxt in g.partitive_links:
        return False
    if low not in g.idioms or j == 0:
        return True
    return not (
        g.kinds.get(doc.lowers[j - 1]) in (PREP, DET) and g.kinds.get(nxt) in (PREP, DET, VERB)
    )


class Run(NamedTuple):
    """Content words between two function words, with what stands around them."""

    tokens: tuple[int, ...]
    determiner: str
    opener: int  # kind of the function word before the run (0: sentence start)
    follower: str
    clause_initial: bool


def word_kind(g: Grammar, low: str) -> int:
    """What a token does to a run of content words (0: it is a content word)."""
    return g.kinds.get(low, 0) or _unlisted_kind(g, low)


def _unlisted_kind(g: Grammar, low: str) -> int:
    """Numbers, punctuation and '-ly' adverbs end a run; other unlisted words are content."""
    if not low[0].isalpha():
        return BREAK
    return BREAK if g.adverb_suffix and len(low) > 4 and low.endswith(g.adverb_suffix) else 0


def _runs(doc: Doc, g: Grammar, lo: int, hi: int) -> list[Run]:
    """Split English tokens [lo, hi) into runs of content words (noun phrase material)."""
    lowers = doc.lowers
    kinds = [word_kind(g, lowers[j]) for j in range(lo, hi)]
    starts = {s for s, _ in doc.sentences}
    runs: list[Run] = []
    run: list[int] = []
    det, opener, initial = "", 0, True
    for j, kind in enumerate(kinds, lo):
        low = lowers[j]
        if run and low == "that":
            kind = BREAK  # 'the data that ...' opens a relative clause
        if kind or j in starts:
            if run:
                runs.append(Run(tuple(run), det, opener, low, initial))
                run, initial = [], False
            det, opener = (low if kind == DET else ""), (0 if j in starts else kind)
            if j in starts or low in g.clause_openers:
                initial = True
            elif kind == PREP or kind == VERB:
                initial = False
        if not kind:
            run.append(j)
    if run:
        runs.append(Run(tuple(run), det, opener, lowers[hi] if hi < len(lowers) else ".", initial))
    return runs


def _heads(doc: Doc, g: Grammar, run: Run) -> list[Candidate]:
    """The noun phrases of one run: verbs and participles trimmed, a finite verb split off."""
    toks = run.tokens[1:] if run.opener == VERB else run.tokens  # 'shall log errors'
    nxt = run.follower
    takes_object = (g.kinds.get(nxt) == DET and nxt != "that") or nxt in g.personal
    if toks and takes_object and doc.text[doc.starts[toks[-1]]].islower():
        if len(toks) > 1 or not run.determiner:
            toks = toks[:-1]  # 'the function maintains a record': 'maintains' is a verb
    if len(toks) > 1 and _participle(doc, g, toks[-1], nxt):
        toks = toks[:-1]  # 'numbers tied to': a reduced relative clause
    parts = [toks]
    if run.clause_initial and g.kinds.get(nxt) != VERB:
        cut = _finite_verb(doc, g, toks)  # 'The WBS consists of': subject, verb, object
        parts = [toks[:cut], toks[cut + 1 :]] if cut else parts
    return [
        Candidate(part[-1], _english_mask(doc, g, part[-1], run.determiner if n == 0 else ""))
        for n, part in enumerate(parts)
        if part and len(doc.lowers[part[-1]]) > 1 and referential(doc, g, part[-1])
    ]


def participle(g: Grammar, low: str) -> bool:
    """An English past participle: 'stored', 'sent' (not 'speed', 'need', 'required')."""
    if low in g.participles:
        return True
    return low.endswith("ed") and not low.endswith("eed") and low not in g.not_participles


def _participle(doc: Doc, g: Grammar, j: int, nxt: str) -> bool:
    """A participle closing a run, or an '-ing' form before its complement."""
    low = doc.lowers[j]
    if doc.text[doc.starts[j]].isupper():
        return False
    return participle(g, low) or (low.endswith("ing") and g.kinds.get(nxt) in (PREP, DET, VERB))


def _finite_verb(doc: Doc, g: Grammar, toks: tuple[int, ...]) -> int:
    """Position of a present-tense verb after the subject of a clause, 0 when there is none.

    An '-s' word inside the run is a verb only when its stem is a known verb ('the system
    logs errors', but 'the error messages arrive'); the last word of the run is one anyway
    ('the WBS consists of').
    """
    for k in range(1, len(toks)):
        low = doc.lowers[toks[k]]
        if doc.text[doc.starts[toks[k]]].islower() and plural_form(low):
            if k == len(toks) - 1 or low[:-1] in g.verbs or low[:-2] in g.verbs:
                return k
    return 0


def plural_form(low: str) -> bool:
    """English plural or third-person form: ends in -s but not -ss, -us, -is."""
    return len(low) > 3 and low.endswith("s") and not low.endswith(("ss", "us", "is"))


def _english_mask(doc: Doc, g: Grammar, head: int, determiner: str) -> int:
    """Number from the determiner or the noun's form; a singular person noun is a person."""
    tok = doc.token(head)
    tok = tok[:-2] if tok.lower().endswith(("'s", "’s")) else tok
    low = tok.lower()
    if low in g.neutral:
        return g.unknown
    if g.determiners.get(determiner):
        number = g.determiners[determiner]
    elif tok[:-1].isupper() and len(tok) > 2:  # acronyms: 'AIPs' plural, 'CS' singular
        number = PLURAL if tok.endswith("s") else SINGULAR
    else:
        number = PLURAL if plural_form(low) else SINGULAR
    return PERSON if number == SINGULAR and low in g.persons else number


def _german(doc: Doc, g: Grammar, lo: int, hi: int) -> list[Candidate]:
    """Capitalised words inside a sentence; gender and number from the article before them."""
    starts = {s for s, _ in doc.sentences}
    text, offsets, kinds, determiners = doc.text, doc.starts, g.kinds, g.determiners
    out: list[Candidate] = []
    article, at = 0, -ARTICLE_REACH - 1
    for j in range(lo, hi):
        low = doc.lowers[j]
        if low in determiners:
            article, at = determiners[low], j
        elif not low[0].isalpha() or kinds.get(low) == PREP:
            at = -ARTICLE_REACH - 1
        elif text[offsets[j]].isupper() and low not in kinds and j not in starts:
            mask = article if j - at <= ARTICLE_REACH and article else g.unknown
            if referential(doc, g, j):
                out.append(Candidate(j, mask))
            at = -ARTICLE_REACH - 1
    return out
