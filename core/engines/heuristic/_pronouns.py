"""Ambiguous pronoun detector.

A pronoun is reported when it could point at two or more things: at least two candidate
antecedents precede it in its sentence or the one before. Candidates are counted cheaply (no
parser): English noun phrases by their determiners and acronyms, German nouns by their capital
letter. (Splitting candidates by grammatical number was tried: it lowered recall on the pronoun
benchmarks without raising precision, because readers find plural/singular mismatches ambiguous
too.) Expletive "it"/"es" ("It shall be possible", "es muss sichergestellt sein")
refers to nothing and is skipped; demonstratives count only when they stand alone ("this
shall", "dies").
"""

from __future__ import annotations

from core.engines.heuristic._hits import Ctx, Hit
from core.engines.heuristic._text import is_word

MIN_CANDIDATES = 2
EXPLETIVE_WINDOW = 4
STOP_AFTER_PRONOUN = frozenset(
    {"is", "are", "was", "were", "has", "have", "had", "does", "do", "means", "includes",
     "requires", "allows", "applies", "of", "in", "for", "to", "with", "by", "on", "at"}
)  # fmt: skip
SUCH = frozenset({"such", "solche", "solcher", "solches", "solchen", "solchem"})


def detect_pronouns(ctx: Ctx) -> list[Hit]:
    """Findings for personal, demonstrative and relative pronouns with unclear reference."""
    lex, lowers = ctx.lex, ctx.doc.lowers
    personal = lex.words("pron_personal")
    demonstrative = lex.words("pron_demonstrative")
    relative = lex.words("pron_relative_clause")
    if not any(t in personal or t in demonstrative or t in relative for t in lowers):
        return []
    marks = candidate_marks(ctx)
    hits = []
    for i, tok in enumerate(lowers):
        if tok in personal:
            ok = not _expletive(ctx, i) and _candidates(ctx, i, marks) >= MIN_CANDIDATES
        elif tok in demonstrative:
            ok = _standalone(ctx, i)
        elif tok in relative:
            ok = i > 0 and lowers[i - 1] == "," and _candidates(ctx, i, marks) >= MIN_CANDIDATES
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
    if lowers[i + 1] == "gibt":
        return True
    if lowers[i + 1] not in ctx.lex.words("pron_expletive_after"):
        return False
    window = lowers[i + 2 : i + 2 + EXPLETIVE_WINDOW]
    nexts = ctx.lex.words("pron_expletive_next") | {"to", "that", "dass", "zu"}
    return any(t in nexts for t in window)


def _candidates(ctx: Ctx, i: int, marks: tuple[int, ...]) -> int:
    """Candidate antecedents before token i in this and the previous sentence (O(1))."""
    doc = ctx.doc
    k = doc.sentence_of(i)
    lo = doc.sentences[k - 1][0] if k > 0 else doc.sentences[k][0]
    return marks[i] - marks[lo]


def candidate_marks(ctx: Ctx) -> tuple[int, ...]:
    """Prefix counts of antecedent candidates, so each pronoun is checked in constant time."""
    doc = ctx.doc
    dets = ctx.lex.words("pron_determiners")
    german = ctx.lex.language == "de"
    starts = {s for s, _ in doc.sentences}
    prefix = [0]
    for j, low in enumerate(doc.lowers):
        tok = doc.token(j)
        if german:
            mark = j not in starts and tok[:1].isupper() and is_word(low)
        else:
            acronym = len(tok) > 1 and tok.isupper() and tok.isalpha()
            mark = low in dets or (acronym and (j == 0 or doc.lowers[j - 1] not in dets))
        prefix.append(prefix[-1] + mark)
    return tuple(prefix)


def _standalone(ctx: Ctx, i: int) -> bool:
    """A demonstrative stands alone when no noun follows it (then it is a pronoun)."""
    doc, lowers = ctx.doc, ctx.doc.lowers
    nxt = lowers[i + 1] if i + 1 < len(lowers) else "."
    if lowers[i] in SUCH:
        return nxt not in {"as", "that", "wie", "dass"}
    if ctx.lex.language == "de":
        return lowers[i] == "dies" or not any(
            doc.text[doc.starts[j]].isupper() for j in range(i + 1, min(i + 4, len(lowers)))
        )
    modal = ctx.lex.words("modal_words")
    if lowers[i] == "that":
        return i > 0 and lowers[i - 1] in {",", ".", ";", "and", "or"} and nxt in modal
    return not is_word(nxt) or nxt in modal or nxt in STOP_AFTER_PRONOUN
