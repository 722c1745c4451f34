"""Mining's LLM pass: the requirements a model finds beyond the rules, checked before they count.

The document is cut at line ends into pieces of at most PIECE_CHARS characters (a longer
line at its sentence ends), each sent with the rule candidates of its lines, which the
model need not repeat (core.engines.find_requirements; one call per piece, cached). What
the model answers is a claim, not a result: a sentence counts only when

- it occurs in its piece word for word (whitespace aside; the model must quote, not
  paraphrase or invent), which also gives its line;
- it has MIN_WORDS words or more;
- it says something no rule candidate and no earlier LLM candidate of the document says:
  neither text contains the other, and their trigram similarity (core.similarity, the
  measure of the batch routes' near duplicates) stays below NEAR_DUPLICATE_THRESHOLD.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from core.engines import DocumentPiece, FindResult, FoundRequirement, find_requirements
from core.engines.base import Language
from core.engines.heuristic import detect_language
from core.mining._extract import Candidate, candidate_id
from core.mining._modal import find_modal
from core.mining._sentences import sentences
from core.settings import Settings
from core.similarity import jaccard, trigrams

PIECE_CHARS = 4000
MIN_WORDS = 3
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Searched:
    """A document the LLM pass looks at, and its rule candidates."""

    source: str
    text: str
    found: list[Candidate]


@dataclass(frozen=True, slots=True)
class _Piece:
    text: str
    first_line: int  # the document's 1-based line the piece starts on


def llm_pass(
    documents: Sequence[Searched], settings: Settings, *, language: Language | None = None
) -> tuple[list[Candidate], FindResult]:
    """The checked LLM candidates of all documents (one engine job, so one fallback for
    all of them) and the engine's result, whose meta says who answered and why. Each
    document is read in `language`, else in the one detected on it (as the rules do)."""
    plan: list[tuple[Searched, Language, _Piece]] = []
    for document in documents:
        lang = language or detect_language(document.text)
        plan += [(document, lang, piece) for piece in pieces(document.text)]
    asked = [
        DocumentPiece(piece.text, lang, _known(document.found, piece))
        for document, lang, piece in plan
    ]
    result = find_requirements(asked, settings=settings)
    seen = {d.source: _Seen(d.found, settings.near_duplicate_threshold) for d in documents}
    accepted: list[Candidate] = []
    for (document, lang, piece), answers in zip(plan, result.found, strict=True):
        for answer in answers:
            candidate = _checked(answer, piece, document, lang, seen[document.source])
            if candidate is not None:
                accepted.append(candidate)
    return accepted, result


def pieces(text: str) -> list[_Piece]:
    """The document cut at line ends into pieces of at most PIECE_CHARS characters; a
    longer line is cut at its sentence ends (a longer sentence stays whole)."""
    out: list[_Piece] = []
    lines: list[str] = []
    first = 1
    for number, line in enumerate(text.splitlines(), start=1):
        if lines and sum(len(x) + 1 for x in lines) + len(line) > PIECE_CHARS:
            out.append(_Piece("\n".join(lines), first))
            lines = []
        if len(line) > PIECE_CHARS:
            out += [_Piece(part, number) for part in _sentence_groups(line)]
            continue
        if not lines:
            first = number
        lines.append(line)
    if lines:
        out.append(_Piece("\n".join(lines), first))
    return out


def _sentence_groups(line: str) -> list[str]:
    groups: list[str] = []
    start = end = 0
    for lo, hi in sentences(line):
        if hi - start > PIECE_CHARS and end > start:
            groups.append(line[start:end])
            start = lo
        end = hi
    return [*groups, line[start:]]


def _known(found: list[Candidate], piece: _Piece) -> tuple[str, ...]:
    last = piece.first_line + piece.text.count("\n")
    return tuple(c.text for c in found if piece.first_line <= c.line <= last)


class _Seen:
    """The texts a document's candidates already say: the rules', then the accepted LLM ones."""

    def __init__(self, found: list[Candidate], threshold: float) -> None:
        self.threshold = threshold
        self.texts: list[tuple[str, frozenset[str]]] = []
        self.added = 0
        for candidate in found:
            self.texts.append((_normal(candidate.text), trigrams(candidate.text)))

    def says(self, text: str) -> bool:
        """True when a seen text contains this one, is contained in it, or is as similar as
        a near duplicate."""
        normal, grams = _normal(text), trigrams(text)
        return any(
            normal in other or other in normal or jaccard(grams, other_grams) >= self.threshold
            for other, other_grams in self.texts
        )

    def add(self, text: str) -> int:
        """Remember an accepted text; its number among the accepted ones (1, 2, ...)."""
        self.texts.append((_normal(text), trigrams(text)))
        self.added += 1
        return self.added


def _checked(
    answer: FoundRequirement, piece: _Piece, document: Searched, language: Language, seen: _Seen
) -> Candidate | None:
    """The answer as a candidate when it passes the checks of the module docstring."""
    if len(_WORD.findall(answer.text)) < MIN_WORDS:
        return None
    quoted = r"\s+".join(re.escape(word) for word in answer.text.split())
    match = re.search(quoted, piece.text)
    if match is None:
        return None
    text = _SPACES.sub(" ", match.group(0))
    if seen.says(text):
        return None
    return Candidate(
        candidate_id(document.source, f"L{seen.add(text)}"),
        text,
        document.source,
        piece.first_line + piece.text.count("\n", 0, match.start()),
        answer.kind,
        language,
        find_modal(text, language),
        "llm",
    )


def _normal(text: str) -> str:
    """Lower-case words, space-padded, so containment is of whole words."""
    return f" {' '.join(_WORD.findall(text.lower()))} "
