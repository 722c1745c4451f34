"""Passive voice without an agent ("the data shall be stored" - by whom?).

English: a form of "be" followed by a past participle, optionally with one adverb between.
German: "werden"/"wird"/"worden" next to a participle ("muss angezeigt werden",
"wird ... angezeigt"). A passive that names its agent ("by the operator", "vom System")
is fine and not reported.
"""

from __future__ import annotations

from core.engines.heuristic._hits import Ctx, Hit

# The agent ("by the operator") and a clause-final participle follow within this many tokens.
AGENT_WINDOW = 15


def detect_passive(ctx: Ctx) -> list[Hit]:
    """Findings for agentless passive constructions."""
    spans = _german(ctx) if ctx.lex.language == "de" else _english(ctx)
    agents = ctx.lex.words("passive_agent_markers")
    hits = []
    subordinators = ctx.lex.words("subordinators")
    for first, last in spans:
        lo, hi = ctx.clause_span(first)
        if _clause_head(ctx, lo, hi) in subordinators:
            continue  # a condition ("if the link is lost") states an event, not a duty
        # English names the agent after the verb ("by the operator"), German usually before
        # the participle ("vom Server gespeichert werden").
        if ctx.lex.language == "de":
            lo = max(lo, first - AGENT_WINDOW)
        else:
            lo = last
        if any(t in agents for t in ctx.doc.lowers[lo : min(hi, last + AGENT_WINDOW)]):
            continue
        hits.append(Hit("passive_voice", ctx.doc.starts[first], ctx.doc.ends[last - 1]))
    return hits


def _clause_head(ctx: Ctx, lo: int, hi: int) -> str:
    """First word of a clause (skipping the comma that opens it)."""
    return next((t for t in ctx.doc.lowers[lo:hi] if t[:1].isalnum()), "")


def _english(ctx: Ctx) -> list[tuple[int, int]]:
    lowers = ctx.doc.lowers
    aux = ctx.lex.words("passive_auxiliaries")
    out = []
    for i, tok in enumerate(lowers):
        if tok not in aux:
            continue
        j = i + 1
        if j < len(lowers) and (lowers[j].endswith("ly") or lowers[j] in {"not", "also"}):
            j += 1
        if j < len(lowers) and _english_participle(ctx, lowers[j]):
            out.append((i, j + 1))
    return out


def _english_participle(ctx: Ctx, tok: str) -> bool:
    if tok in ctx.lex.words("passive_not_participles"):
        return False
    return tok in ctx.lex.words("passive_irregular_participles") or (
        len(tok) > 4 and tok.endswith("ed")
    )


def _german(ctx: Ctx) -> list[tuple[int, int]]:
    lowers = ctx.doc.lowers
    aux = ctx.lex.words("passive_auxiliaries")
    out = []
    for i, tok in enumerate(lowers):
        if tok not in aux:
            continue
        if i > 0 and _german_participle(ctx, i - 1, strict=False):
            out.append((i - 1, i + 1))
            continue
        _, hi = ctx.clause_span(i)
        if hi - i > AGENT_WINDOW:
            continue
        last = hi - 1
        while last > i and not lowers[last][:1].isalpha():
            last -= 1
        if last > i and _german_participle(ctx, last, strict=True):
            out.append((i, last + 1))
    return out


def _german_participle(ctx: Ctx, i: int, *, strict: bool) -> bool:
    """Lower-case word ending in -t/-en that looks like a past participle."""
    tok = ctx.doc.token(i)
    low = tok.lower()
    if not tok.isalpha() or not tok.islower() or len(low) < 5:
        return False
    if low in ctx.lex.words("passive_not_participles") or low in ctx.lex.words("modal_words"):
        return False
    if low.endswith("iert"):
        return True
    separable = ctx.lex.words("separable_prefixes")
    stem = next((low[len(p) :] for p in separable if low.startswith(p + "ge")), low)
    has_prefix = stem.startswith(tuple(ctx.lex.words("participle_prefixes")))
    if strict:
        return has_prefix and (low.endswith("t") or stem.startswith("ge"))
    return has_prefix and low.endswith(("t", "en"))
