"""The heuristic engine: run the detectors, score the criteria, word the advice."""

from __future__ import annotations

from collections.abc import Sequence

from core.engines.base import Assessment, Language
from core.engines.heuristic._ears import classify_ears
from core.engines.heuristic._glossary import compile_glossary, drop_defined, project_words
from core.engines.heuristic._hits import Hit, build_ctx
from core.engines.heuristic._language import detect_language
from core.engines.heuristic._lexical import detect_lexical
from core.engines.heuristic._lexicon import load
from core.engines.heuristic._measures import detect_measures
from core.engines.heuristic._passive import detect_passive
from core.engines.heuristic._pronouns import detect_pronouns
from core.engines.heuristic._rewrite import rewrite
from core.engines.heuristic._structure import detect_structure
from core.engines.heuristic._wording import criterion_results, suggestions, to_finding
from core.glossary import Glossary

# The version goes into every result (`model`): bump it whenever findings or scores change,
# so stored evaluations say which rules produced them. /2: agreement-based pronoun rules.
MODEL_NAME = "reqgate-heuristic/2"
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
    hits = _drop_shadowed(hits, text)
    found = sorted(hits.values(), key=lambda h: (h.start, h.end))
    if compiled is not None:
        found = drop_defined(found, ctx.doc, compiled)
    return found, classify_ears(ctx)


def _drop_shadowed(
    hits: dict[tuple[str, int, int], Hit], text: str
) -> dict[tuple[str, int, int], Hit]:
    """Drop a second finding on the same word that says the same thing twice.

    'missing_measure' on a word already reported as vague, 'vague_term' on a word that is a
    comparative or superlative ("schneller", "fastest"): the comparison is the defect; and
    anything inside a bracketed gap ("[within 200 ms (p95)]"): the gap is the defect.
    """
    vague = {(s, e) for code, s, e in hits if code in {"vague_term", "subjective_term"}}
    graded = {(s, e) for code, s, e in hits if code in {"comparative", "superlative"}}
    gaps = [(s, e) for code, s, e in hits if code == "placeholder" and text[s : s + 1] == "["]
    return {
        k: h
        for k, h in hits.items()
        if not (k[0] == "missing_measure" and k[1:] in vague)
        and not (k[0] == "vague_term" and k[1:] in graded)
        and not any(s <= k[1] and k[2] <= e and (s, e) != k[1:] for s, e in gaps)
    }


def placeholders(text: str, language: Language | None = None) -> tuple[str, ...]:
    """The placeholders left in a text (TBD, TODO, bracketed gaps), in text order: a text
    with any of them is not finished, whatever its score."""
    hits, _ears = analyse(text, language or detect_language(text))
    return tuple(text[h.start : h.end] for h in hits if h.code == "placeholder")


def assess(
    text: str,
    *,
    criteria: Sequence[str],
    language: Language | None = None,
    glossary: Glossary | None = None,
) -> Assessment:
    """Judge one requirement against the requested criteria, in the requested order."""
    lang: Language = language or detect_language(text)
    lex = load(lang)
    hits, ears = analyse(text, lang, glossary)
    findings = [to_finding(text, h, lex) for h in hits]
    return Assessment(
        language=lang,
        results=criterion_results(criteria, findings, lex),
        suggestions=suggestions(text, hits, lex, ears),
        rewrite=rewrite(text, hits, lex),
        engine="heuristic",
        model=MODEL_NAME,
        extras={"ears": ears},
    )
