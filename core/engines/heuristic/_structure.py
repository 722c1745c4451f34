"""Detectors of a requirement's shape: several requirements in one, no binding modal, mixed
modals, overlong sentences, too little text, and two names for one thing."""

from __future__ import annotations

import bisect

from core.engines.heuristic._hits import Ctx, Hit
from core.engines.heuristic._match import Match

MIN_WORDS = 3
# German infinitives/participles joined by und/oder at the clause end: "speichern und anzeigen".
GERMAN_VERB_ENDINGS = ("en", "ern", "eln", "t")
# After "and" + verb these words show a noun use ("display of"), not a second action.
NOT_AN_ACTION_AFTER = frozenset({"of", "and", "or", ",", "."})
GERMAN_CLAUSE_END = frozenset({".", ",", ";", "werden", "können", "sein", "müssen", "wird", "!"})


def detect_structure(ctx: Ctx) -> list[Hit]:
    """Run every shape detector."""
    return [
        *_multiple(ctx),
        *_sentences_with_modals(ctx),
        *_missing_modal(ctx),
        *_mixed_modals(ctx),
        *_long_sentences(ctx),
        *_too_short(ctx),
        *_inconsistent_terms(ctx),
    ]


def _multiple(ctx: Ctx) -> list[Hit]:
    """A conjunction that joins two actions or two obligations in one sentence."""
    hits = []
    for m in ctx.matches("_conj"):
        lo, hi = ctx.doc.sentences[ctx.doc.sentence_of(m.first)]
        before = ctx.modals_between(lo, m.first) > 0
        after = ctx.modals_between(m.last, hi) > 0
        if (before and after) or (before and _joins_actions(ctx, m.first, m.last)):
            hits.append(Hit("multiple_requirements", m.start, m.end))
    return hits


def _joins_actions(ctx: Ctx, first: int, last: int) -> bool:
    """True when the conjunction at [first, last) joins two verbs ('display and print',
    'be stored and archived'), not two objects ('orders and invoices')."""
    lowers = ctx.doc.lowers
    if last >= len(lowers) or first == 0:
        return False
    if ctx.lex.language == "de":
        return _german_verbs(ctx, first - 1, last)
    nxt = (
        lowers[last + 1]
        if lowers[last] in {"also", "then", "to"} and last + 1 < len(lowers)
        else lowers[last]
    )
    follow = lowers[last + 1] if last + 1 < len(lowers) else "."
    if nxt in ctx.lex.words("verbs") and follow not in NOT_AN_ACTION_AFTER:
        return True
    # Two participles ('stored and archived') are two actions unless they qualify a noun
    # that follows ('stored and processed data'): then the next word is a plain word.
    prev = lowers[first - 1]
    return prev.endswith("ed") and nxt.endswith("ed") and follow in NOT_AN_ACTION_AFTER | {"by"}


def _german_verbs(ctx: Ctx, left: int, right: int) -> bool:
    """Two lower-case verb forms around 'und'/'oder' at the end of a clause."""
    doc = ctx.doc
    end = doc.lowers[right + 1] if right + 1 < len(doc.lowers) else "."
    words = (doc.token(left), doc.token(right))
    return (
        all(w.isalpha() and w.islower() and w.endswith(GERMAN_VERB_ENDINGS) for w in words)
        and end in GERMAN_CLAUSE_END
    )


def _sentences_with_modals(ctx: Ctx) -> list[Hit]:
    """After the first sentence that states an obligation, each further sentence is either
    another requirement (it has its own modal) or a note, rationale or definition mixed into
    the requirement (INCOSE's singularity rule: one requirement, one sentence)."""
    hits = []
    seen_one = False
    for lo, hi in ctx.doc.sentences:
        modal = next((j for j in range(lo, hi) if j in ctx.modal_tokens), None)
        if seen_one and modal is not None:
            hits.append(Hit("multiple_requirements", ctx.doc.starts[modal], ctx.doc.ends[modal]))
        elif seen_one:
            words = ctx.doc.words  # sorted token indices of the words
            first, end = bisect.bisect_left(words, lo), bisect.bisect_left(words, hi)
            if end - first >= MIN_WORDS:
                last = words[end - 1]
                hits.append(Hit("extra_sentence", ctx.doc.starts[lo], ctx.doc.ends[last]))
        seen_one = seen_one or modal is not None
    return hits


def _missing_modal(ctx: Ctx) -> list[Hit]:
    doc = ctx.doc
    if not doc.lowers or ctx.modal_tokens or _german_zu_infinitive(ctx):
        return []
    words = doc.words
    if len(words) < MIN_WORDS:
        return []
    return [Hit("missing_modal", doc.starts[words[0]], doc.ends[words[-1]])]


def _german_zu_infinitive(ctx: Ctx) -> bool:
    """German 'ist ... umzusetzen' / 'sind ... zu prüfen' also states an obligation."""
    lowers = ctx.doc.lowers
    if ctx.lex.language != "de" or not {"ist", "sind", "hat", "haben"} & set(lowers):
        return False
    prefixes = tuple(ctx.lex.words("separable_prefixes"))
    return any(_zu_infinitive(lowers, i, prefixes) for i in range(len(lowers)))


def _zu_infinitive(lowers: tuple[str, ...], i: int, prefixes: tuple[str, ...]) -> bool:
    """'zu prüfen' or a separable verb with infix 'zu' ('umzusetzen', 'anzuzeigen')."""
    tok = lowers[i]
    if tok == "zu":
        return i + 1 < len(lowers) and lowers[i + 1].endswith("en")
    return tok.endswith("en") and tok.startswith(prefixes) and "zu" in tok[2:-2]


def _mixed_modals(ctx: Ctx) -> list[Hit]:
    """'shall' and 'must' (or 'muss' and 'soll') in one requirement."""
    strong = ctx.matches("_strong")
    if not strong:
        return []
    first = strong[0]
    other = next((m for m in strong if _lemma(ctx, m) != _lemma(ctx, first)), None)
    if other is None:
        return []
    word = ctx.doc.text[first.start : first.end]
    return [Hit("mixed_modals", other.start, other.end, other=word)]


def _lemma(ctx: Ctx, m: Match) -> str:
    """Fold inflection so muss/müssen or soll/sollen count as one modal."""
    return ctx.doc.lowers[m.first].replace("ü", "u")[:3]


def _long_sentences(ctx: Ctx) -> list[Hit]:
    limit = int(ctx.lex.data.get("long_sentence_words", 35))
    if len(ctx.doc.words) <= limit:
        return []
    per_sentence: dict[int, list[int]] = {}
    for j in ctx.doc.words:
        per_sentence.setdefault(ctx.doc.sentence_of(j), []).append(j)
    hits = []
    for words in per_sentence.values():
        if len(words) > limit:
            start, end = ctx.doc.starts[words[0]], ctx.doc.ends[words[-1]]
            hits.append(Hit("long_sentence", start, end, hint=str(limit), other=str(len(words))))
    return hits


def _too_short(ctx: Ctx) -> list[Hit]:
    """Fewer than three words; an empty text gets an empty span at 0."""
    words = ctx.doc.words
    if len(words) >= MIN_WORDS:
        return []
    if not words:
        return [Hit("too_short", 0, 0)]
    return [Hit("too_short", ctx.doc.starts[words[0]], ctx.doc.ends[words[-1]])]


def _inconsistent_terms(ctx: Ctx) -> list[Hit]:
    """Two members of one synonym group ('user' and 'customer') in the same requirement."""
    hits = []
    for category, matches in ctx.groups.items():
        if not category.startswith("_syn:"):
            continue
        first = matches[0]
        word = ctx.doc.text[first.start : first.end]
        other = next(
            (m for m in matches if ctx.doc.text[m.start : m.end].lower() != word.lower()), None
        )
        if other is not None:
            hits.append(Hit("inconsistent_term", other.start, other.end, other=word))
    return hits
