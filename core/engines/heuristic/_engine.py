"""The heuristic engine's detection: every detector over one text, hits in text order."""

from __future__ import annotations

import re

from core.engines.base import Language
from core.engines.heuristic._ears import classify_ears
from core.engines.heuristic._glossary import compile_glossary, drop_defined, project_words
from core.engines.heuristic._hits import Hit, build_ctx
from core.engines.heuristic._lexical import detect_lexical
from core.engines.heuristic._lexicon import load
from core.engines.heuristic._measures import detect_measures
from core.engines.heuristic._passive import detect_passive
from core.engines.heuristic._pronouns import detect_pronouns
from core.engines.heuristic._structure import detect_structure
from core.glossary import Glossary

# The version goes into every result (`model`): bump it whenever findings or scores change,
# so stored evaluations say which rules produced them. /2: agreement-based pronoun rules.
# /3: severities (one blocker or major finding fails its criterion), scoped negatives and
# modals, document references, one sentence per requirement.
MODEL_NAME = "reqgate-heuristic/3"
# Quoted literals, bounded and unnested: '...' not glued to a word (so "user's" is no quote),
# "...", „...“ and ‚...‘.
QUOTED_RE = re.compile(
    r"(?<!\w)'[^'\n]{1,120}'(?!\w)|\"[^\"\n]{1,120}\"|„[^“”\n]{1,120}[“”]|‚[^‘’\n]{1,120}[‘’]"
)
DETECTORS = (detect_lexical, detect_pronouns, detect_passive, detect_structure, detect_measures)


def analyse(
    text: str, language: Language, glossary: Glossary | None = None
) -> tuple[list[Hit], str]:
    """All hits in text order (one per code and span) and the EARS pattern.

    With a project glossary, its weak words are found like list words and its defined
    terms are not reported as vague (core.engines.heuristic._glossary).
    """
    lex = load(language)
    compiled = compile_glossary(glossary, language) if glossary else None
    ctx = build_ctx(text, lex, project_words(compiled) if compiled is not None else None)
    hits: dict[tuple[str, int, int], Hit] = {}
    for detector in DETECTORS:
        for hit in detector(ctx):
            hits.setdefault((hit.code, hit.start, hit.end), hit)
    hits = _drop_quoted(_drop_shadowed(hits, text), text)
    found = sorted(hits.values(), key=lambda h: (h.start, h.end))
    if compiled is not None:
        found = drop_defined(found, ctx.doc, compiled)
    return found, classify_ears(ctx)


def _drop_shadowed(
    hits: dict[tuple[str, int, int], Hit], text: str
) -> dict[tuple[str, int, int], Hit]:
    """Drop a second finding on the same word that says the same thing twice.

    'missing_measure' on a word already reported as vague, 'vague_term' on a word that is a
    comparative or superlative ("schneller", "fastest"): the comparison is the defect;
    'missing_measure' beside a placeholder ("The timeout shall be TBD"): the placeholder is
    where the measure goes; and anything inside a bracketed gap ("[within 200 ms (p95)]"):
    the gap is the defect.
    """
    vague = {(s, e) for code, s, e in hits if code in {"vague_term", "subjective_term"}}
    graded = {(s, e) for code, s, e in hits if code in {"comparative", "superlative"}}
    gaps = [(s, e) for code, s, e in hits if code == "placeholder" and text[s : s + 1] == "["]
    placeholder = any(code == "placeholder" for code, _, _ in hits)
    return {
        k: h
        for k, h in hits.items()
        if not (k[0] == "missing_measure" and (k[1:] in vague or placeholder))
        and not (k[0] == "vague_term" and k[1:] in graded)
        and not any(s <= k[1] and k[2] <= e and (s, e) != k[1:] for s, e in gaps)
    }


def _drop_quoted(
    hits: dict[tuple[str, int, int], Hit], text: str
) -> dict[tuple[str, int, int], Hit]:
    """Drop findings inside a quoted literal ("the value 'keine Anzeige'", the button
    "Fast mode"): a quote names a value or a label, it states nothing."""
    quoted = [m.span() for m in QUOTED_RE.finditer(text)]
    if not quoted:
        return hits
    return {k: h for k, h in hits.items() if not any(s < k[1] and k[2] < e for s, e in quoted)}
