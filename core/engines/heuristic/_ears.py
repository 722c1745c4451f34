"""EARS pattern classification (Mavin et al., Easy Approach to Requirements Syntax).

The first sentence decides: its opening keyword selects the pattern (While = state-driven,
When = event-driven, If = unwanted behaviour, Where = optional feature), and a binding modal
must follow (shall/must; muss/soll/darf); a binding sentence with no keyword is ubiquitous.
Two keywords make it complex.
"""

from __future__ import annotations

from core.engines.heuristic._hits import Ctx

KINDS = (
    ("state", "state_driven"),
    ("event", "event_driven"),
    ("unwanted", "unwanted_behaviour"),
    ("optional", "optional_feature"),
)


def classify_ears(ctx: Ctx) -> str:
    """Return ubiquitous, event_driven, state_driven, unwanted_behaviour, optional_feature,
    complex or none."""
    doc = ctx.doc
    if not doc.sentences or doc.sentences[0][0] == doc.sentences[0][1]:
        return "none"
    lo, hi = doc.sentences[0]
    modals = ctx.lex.words("ears_modals")
    if not any(t in modals for t in doc.lowers[lo:hi]):
        return "none"
    found = [name for key, name in KINDS if _opens_clause(ctx, lo, hi, key)]
    if len(found) > 1:
        return "complex"
    return found[0] if found else "ubiquitous"


def _opens_clause(ctx: Ctx, lo: int, hi: int, key: str) -> bool:
    """True when a keyword of this EARS kind opens the sentence or a clause before the modal."""
    words = ctx.lex.words(f"ears_{key}")
    lowers = ctx.doc.lowers
    for j in range(lo, hi):
        if j in ctx.modal_tokens and lowers[j] not in words:
            return False
        at_start = j == lo or lowers[j - 1] in {",", ";"}
        if at_start and lowers[j] in words:
            return True
    return False
