"""A project glossary (core.glossary) applied to the engine's hits.

Project weak words join their lexicon category: they are matched like list entries (whole
tokens, case-insensitive, '~' for German adjective endings) and go through the same context
rules (a number after "asap" quantifies it, a longer finding contains it), reported with
their code, the message in the requirement's language and the definition as the hint.
Defined terms are never reported as vague: vague, subjective, open-ended, vague-adverb,
vague-quantifier and missing-measure hits on (or inside) one of them are dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from core.engines.base import Language
from core.engines.heuristic._hits import Hit
from core.engines.heuristic._lexicon import Entry, expand_term, load
from core.engines.heuristic._match import Match
from core.engines.heuristic._text import Doc
from core.glossary import Glossary

DEFINABLE_CODES = frozenset(
    {
        "vague_term",
        "subjective_term",
        "nonverifiable_term",
        "vague_adverb",
        "vague_quantifier",
        "missing_measure",
    }
)
DEFINED = "defined"
Index = dict[str, tuple[Entry, ...]]


@dataclass(frozen=True, slots=True)
class Compiled:
    """One glossary for one language: entries by first token, defined terms apart."""

    words: Index
    defined: Index


@lru_cache(maxsize=64)
def compile_glossary(glossary: Glossary, language: Language) -> Compiled:
    """Token entries of the terms that apply to the language (cached per glossary)."""
    words: dict[str, list[Entry]] = {}
    defined: dict[str, list[Entry]] = {}
    for term in glossary.for_language(language):
        target = defined if term.kind == DEFINED else words
        hint = _hint(term.kind, term.definition, language)
        for entry in expand_term(term.kind, term.term, hint):
            target.setdefault(entry.tokens[0], []).append(entry)
    return Compiled(_longest_first(words), _longest_first(defined))


def _hint(kind: str, definition: str, language: Language) -> str:
    """The definition; a weak modal without one gets the binding modal that replaces it."""
    if definition or kind != "weak_modal":
        return " ".join(definition.split())
    strong: list[str] = load(language).data.get("strong_modals", [])
    return strong[0] if strong else ""


def _longest_first(index: dict[str, list[Entry]]) -> Index:
    return {k: tuple(sorted(v, key=lambda e: -len(e.tokens))) for k, v in index.items()}


def find_terms(doc: Doc, index: Index) -> list[Match]:
    """Every occurrence of an indexed term as whole tokens; per start, the longest."""
    lowers, starts, ends = doc.lowers, doc.starts, doc.ends
    out: list[Match] = []
    for i, token in enumerate(lowers):
        seen: set[str] = set()
        for entry in index.get(token, ()):
            n = len(entry.tokens)
            if entry.category in seen or lowers[i : i + n] != entry.tokens:
                continue
            seen.add(entry.category)
            out.append(Match(entry.category, i, i + n, starts[i], ends[i + n - 1], entry.hint))
    return out


def project_words(compiled: Compiled) -> Callable[[Doc], list[Match]]:
    """The matcher build_ctx adds to the lexicon's: the glossary's weak words as matches."""
    return lambda doc: find_terms(doc, compiled.words)


def drop_defined(hits: list[Hit], doc: Doc, compiled: Compiled) -> list[Hit]:
    """The hits without the vagueness findings on (or inside) a defined term."""
    spans = [(m.start, m.end) for m in find_terms(doc, compiled.defined)]
    if not spans:
        return hits
    return [
        h
        for h in hits
        if h.code not in DEFINABLE_CODES or not any(s <= h.start and h.end <= e for s, e in spans)
    ]
