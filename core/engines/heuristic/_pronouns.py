"""Ambiguous pronoun detector.

A pronoun is reported when it could point at two or more things: at least two candidate
antecedents precede it in its sentence or the one before. Candidates are counted cheaply:
English noun phrases by their determiners and acronyms, German nouns by their capital letter.
Expletive "it"/"es" ("It shall be possible", "es muss sichergestellt sein") refers to nothing
and is skipped; demonstratives are reported only when they stand alone ("this shall", "dies").
"""

from __future__ import annotations

from core.engines.heuristic._hits import Ctx, Hit
from core.engines.heuristic._text import is_word

MIN_CANDIDATES = 2
EXPLETIVE_WINDOW = 4


def detect_pronouns(ctx: Ctx) -> list[Hit]:
    """Findings for personal, demonstrative and relative pronouns with unclear reference."""
    lex, lowers = ctx.lex, ctx.doc.lowers
    personal = lex.words("pron_personal")
    demonstrative = lex.words("pron_demonstrative")
    relative = lex.words("pron_relative_clause")
    hits = []
    for i, tok in enumerate(lowers):
        if tok in personal:
            ok = not _expletive(ctx, i) and _candidates(ctx, i) >= MIN_CANDIDATES
        elif tok in demonstrative:
            ok = _standalone(ctx, i)
        elif tok in relative:
            ok = i > 0 and lowers[i - 1] == "," and _candidates(ctx, i) >= MIN_CANDIDATES
        else:
            continue
        if ok:
            hits.append(Hit("ambiguous_pronoun", ctx.doc.starts[i], ctx.doc.ends[i]))
    return hits


def _expletive(ctx: Ctx, i: int) -> bool:
    """'it'/'es' followed by a verb and a dummy-subject complement ('possible', 'that', 'zu')."""
    lowers = ctx.doc.lowers
    if lowers[i] not in {"it", "es"} or i + 1 >= len(lowers):
        return False
    if lowers[i + 1] not in ctx.lex.words("pron_expletive_after") and lowers[i + 1] != "gibt":
        return False
    window = lowers[i + 2 : i + 2 + EXPLETIVE_WINDOW]
    nexts = ctx.lex.words("pron_expletive_next") | {"to", "that", "dass", "zu"}
    return lowers[i + 1] == "gibt" or any(t in nexts for t in window)


def _candidates(ctx: Ctx, i: int) -> int:
    """Count candidate antecedents before token i in this and the previous sentence."""
    doc = ctx.doc
    k = doc.sentence_of(i)
    lo = doc.sentences[k - 1][0] if k > 0 else doc.sentences[k][0]
    if ctx.lex.language == "de":
        return _german_nouns(ctx, lo, i)
    dets = ctx.lex.words("pron_determiners")
    count = 0
    for j in range(lo, i):
        tok = doc.token(j)
        acronym = len(tok) > 1 and tok.isupper() and tok.isalpha()
        if doc.lowers[j] in dets or (acronym and (j == 0 or doc.lowers[j - 1] not in dets)):
            count += 1
    return count


def _german_nouns(ctx: Ctx, lo: int, i: int) -> int:
    """German nouns are capitalised: count capitalised words that do not open a sentence."""
    doc = ctx.doc
    starts = {s for s, _ in doc.sentences}
    return sum(
        1
        for j in range(lo, i)
        if j not in starts and doc.text[doc.starts[j]].isupper() and is_word(doc.lowers[j])
    )


def _standalone(ctx: Ctx, i: int) -> bool:
    """A demonstrative stands alone when no noun follows it (then it is a pronoun)."""
    doc, lowers = ctx.doc, ctx.doc.lowers
    nxt = lowers[i + 1] if i + 1 < len(lowers) else "."
    if lowers[i] in {"such", "solche", "solcher", "solches", "solchen", "solchem"}:
        return nxt not in {"as", "that", "wie", "dass"}
    if ctx.lex.language == "de":
        return lowers[i] == "dies" or not any(
            doc.text[doc.starts[j]].isupper() for j in range(i + 1, min(i + 4, len(lowers)))
        )
    if lowers[i] == "that":
        return (
            i > 0
            and lowers[i - 1] in {",", ".", ";", "and", "or"}
            and nxt in ctx.lex.words("modal_words")
        )
    return not is_word(nxt) or nxt in ctx.lex.words("modal_words") or nxt in STOP_AFTER_PRONOUN


STOP_AFTER_PRONOUN = frozenset(
    {
        "is",
        "are",
        "was",
        "were",
        "has",
        "have",
        "had",
        "does",
        "do",
        "means",
        "includes",
        "requires",
        "allows",
        "applies",
        "of",
        "in",
        "for",
        "to",
        "with",
        "by",
        "on",
        "at",
    }
)
