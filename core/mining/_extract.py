"""Requirement candidates of a document: units, sentences, modals, kinds.

A sentence is a candidate when it carries a binding modal (core.mining._modal) and is not
informative text: questions, sentences ending with ':' (lead-ins), examples ('z. B. ...',
'e.g. ...'), definitions ('... bezeichnet ...', '... means ...'), statements of the present
state ('derzeit', 'currently') and whole notes
('Hinweis:', 'Note:', 'NOTE 1'; ISO/IEC Directives: notes are never normative).

A lead-in with a modal that ends with ':' and is followed by list items is completed by each
item that has no modal of its own: "The system shall export: / - CSV / - PDF" gives two
candidates, "The system shall export: CSV" and "...: PDF", on the items' lines, so each
candidate is a single requirement (ISO 29148 'singular') that reads on its own. An item with
its own modal stands alone; the lead-in itself is never a candidate.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Literal

from core.engines.base import Language
from core.engines.heuristic import detect_language
from core.engines.heuristic._text import tokenize
from core.engines.results import RequirementKind
from core.mining._blocks import Unit, units
from core.mining._modal import find_modal
from core.mining._sentences import sentences
from core.mining._words import mining_words

Kind = RequirementKind
Origin = Literal["rules", "llm"]
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A sentence that reads as a requirement, where it starts, what binds it (None: an
    LLM candidate without a modal the rules know) and who found it."""

    id: str
    text: str
    source: str
    line: int
    kind: Kind
    language: Language
    modal: str | None
    origin: Origin = "rules"


@dataclass(frozen=True, slots=True)
class _Sentence:
    text: str
    line: int
    modal: str | None
    language: Language


def mine(
    text: str, *, source: str = "document", language: Language | None = None
) -> list[Candidate]:
    """The requirement candidates of a document, in source order.

    The language is `language` for every sentence when given. Otherwise it is the one
    detected on the document, except for a sentence detected as the other language that
    states a modal of that language (a mixed table, an English quote in a German text). Ids
    are `MIN-<8 hex of the source name>-<n>`, stable as long as the document keeps its order.
    """
    lang = language or detect_language(text)
    found: list[_Sentence] = []
    lead: _Sentence | None = None
    for unit in units(text):
        if unit.kind != "item":
            lead = None
        parts = _sentences_of(unit, lang, mixed=language is None)
        if unit.kind == "item" and lead is not None and all(p.modal is None for p in parts):
            parts = [
                _Sentence(f"{lead.text} {p.text}", p.line, lead.modal, lead.language)
                for p in parts[:1]
            ]
        found += [p for p in parts if p.modal is not None and not p.text.endswith(":")]
        if parts and parts[-1].text.endswith(":"):
            lead = parts[-1] if parts[-1].modal is not None else None
    return [
        Candidate(
            candidate_id(source, str(n)),
            s.text,
            source,
            s.line,
            classify(s.text, s.language),
            s.language,
            s.modal,
        )
        for n, s in enumerate(found, start=1)
        if s.modal is not None
    ]


def candidate_id(source: str, number: str) -> str:
    """`MIN-<8 hex of the source name>-<number>`: unique per source and number."""
    return f"MIN-{hashlib.sha256(source.encode('utf-8')).hexdigest()[:8]}-{number}"


def _sentences_of(unit: Unit, language: Language, *, mixed: bool) -> list[_Sentence]:
    """The sentences of a unit with their modals and languages; none at all for a note."""
    if _is_note(unit.text, language):
        return []
    out = []
    for start, end in sentences(unit.text):
        text = _SPACES.sub(" ", unit.text[start:end]).strip()
        own = _modal_of(text, language)
        if own is None and mixed and (other := detect_language(text)) != language:
            out.append(_Sentence(text, unit.line_at(start), _modal_of(text, other), other))
        else:
            out.append(_Sentence(text, unit.line_at(start), own, language))
    return out


def _modal_of(text: str, language: Language) -> str | None:
    return None if _informative(text, language) else find_modal(text, language)


def _is_note(text: str, language: Language) -> bool:
    """'Hinweis: ...', 'Note 2 - ...', 'NOTE The ...': the unit opens with a note word."""
    _, _, lowers = tokenize(text[:80])
    openers = mining_words(language).words("note_openers")
    if not lowers or lowers[0] not in openers:
        return False
    head = lowers[1:3]
    return text[: len(lowers[0])].isupper() or any(t in {":", "–", "-"} for t in head)


def _informative(text: str, language: Language) -> bool:
    """Questions, examples, definitions and statements of the present state ('derzeit',
    'currently': the as-is, not the system to be) state no requirement."""
    if text.endswith("?"):
        return True
    words = mining_words(language)
    _, _, lowers = tokenize(text)
    if lowers and words.phrases("example_openers").match_at(lowers, 0) is not None:
        return True
    return words.phrases("definition_markers").found_in(lowers) or words.phrases(
        "as_is_markers"
    ).found_in(lowers)


def classify(text: str, language: Language) -> Kind:
    """constraint when the sentence restricts design or implementation (a technology, a
    standard, compatibility); quality when it names a quality characteristic (ISO/IEC
    25010: performance, availability, security, usability, ...); else functional."""
    _, _, lowers = tokenize(text)
    words = mining_words(language)
    if words.phrases("constraint").found_in(lowers):
        return "constraint"
    if words.phrases("quality").found_in(lowers):
        return "quality"
    return "functional"
