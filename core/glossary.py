"""Project glossaries: the terms a project defines, and its own weak words.

Specs define their own vocabulary. A term the project defines ("responsive: p95 < 200 ms")
is not vague in that project, and a project may have weak words the built-in lexicons lack
("asap"). A glossary comes from the CSV file at GLOSSARY_PATH and from a request's
`context.glossary`; request entries replace file entries of the same term.

The file is UTF-8 CSV, one entry per line, `#` lines are comments:

    term,kind,definition,language
    responsive,defined,p95 < 200 ms,en
    reaktionsschnell~,defined,Antwort in unter 200 ms (95. Perzentil),de
    asap,vague_term,a deadline in working hours,

`kind` is `defined` (the default) or the finding code the word is reported with; `language`
is de, en or empty (both). Terms match whole words, case-insensitively; a trailing `~`
also matches the German adjective endings, as in the built-in word lists.

Glossary terms are project vocabulary, not requirement text, but they stay out of the
database and out of log lines above debug level all the same.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal, cast, get_args

if TYPE_CHECKING:  # core.engines imports the settings, which import this module
    from core.engines.base import Language

GlossaryKind = Literal[
    "defined",
    "vague_term",
    "subjective_term",
    "nonverifiable_term",
    "loophole",
    "weak_modal",
    "vague_quantifier",
    "superlative",
    "comparative",
]
KINDS: tuple[GlossaryKind, ...] = get_args(GlossaryKind)
MAX_REQUEST_ENTRIES = 200
MAX_FILE_ENTRIES = 5000
MAX_FILE_BYTES = 1024 * 1024
MAX_TERM_CHARS = 100
MAX_DEFINITION_CHARS = 500
COLUMNS = ("term", "kind", "definition", "language")
REQUIRED_COLUMNS = frozenset({"term", "kind", "definition"})
WORD_RE = re.compile(r"\w")
log = logging.getLogger("reqgate.glossary")


class GlossaryError(ValueError):
    """A glossary file that cannot be used; the message names the line."""


@dataclass(frozen=True, slots=True)
class GlossaryTerm:
    """One entry: a term, what the project says it is, and the language it belongs to."""

    term: str
    kind: GlossaryKind = "defined"
    definition: str = ""
    language: Language | None = None

    @property
    def key(self) -> str:
        """The term as matched: lower case, single spaces."""
        return " ".join(self.term.lower().split())

    def applies_to(self, language: Language) -> bool:
        return self.language is None or self.language == language

    def clashes_with(self, other: GlossaryTerm) -> bool:
        """Same term for an overlapping language: one of them would be ignored."""
        both = self.language is None or other.language is None
        return self.key == other.key and (both or self.language == other.language)


@dataclass(frozen=True, slots=True)
class Glossary:
    """A project's terms, in the order given; frozen and hashable, so engines cache on it."""

    terms: tuple[GlossaryTerm, ...] = ()
    _hash: int = field(default=0, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Engines look their compiled form up by glossary on every call: hash the terms once.
        object.__setattr__(self, "_hash", hash(self.terms))

    def __hash__(self) -> int:
        return self._hash

    def __bool__(self) -> bool:
        return bool(self.terms)

    def for_language(self, language: Language) -> tuple[GlossaryTerm, ...]:
        return tuple(t for t in self.terms if t.applies_to(language))

    def merged(self, override: Glossary | None) -> Glossary:
        """This glossary with `override`'s entries replacing any entry of the same term."""
        if not override:
            return self
        replaced = {t.key for t in override.terms}
        return Glossary(tuple(t for t in self.terms if t.key not in replaced) + override.terms)

    def checksum(self, language: Language) -> str:
        """A digest of the entries that apply to one language (cache keys name no terms)."""
        rows = sorted((t.key, t.kind, t.definition) for t in self.for_language(language))
        return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode()).hexdigest()


def merge(base: Glossary | None, override: Glossary | None) -> Glossary | None:
    """The file's glossary with the request's on top; None when both are empty."""
    if not base:
        return override or None
    return base.merged(override)


def check_term(term: str) -> str:
    """The term stripped, or ValueError when it cannot be matched as words."""
    term = term.strip()
    if not term:
        raise ValueError("term is empty")
    if len(term) > MAX_TERM_CHARS:
        raise ValueError(f"term is longer than {MAX_TERM_CHARS} characters")
    if not WORD_RE.search(term):
        raise ValueError("term has no letter or digit")
    return term


def first_clash(terms: Iterable[GlossaryTerm]) -> tuple[int, int] | None:
    """Indexes (earlier, later) of the first two entries for the same term and language."""
    seen: dict[str, list[tuple[int, GlossaryTerm]]] = {}
    for index, term in enumerate(terms):
        for earlier, other in seen.get(term.key, []):
            if term.clashes_with(other):
                return earlier, index
        seen.setdefault(term.key, []).append((index, term))
    return None


# -- the file -------------------------------------------------------------------------------


def parse_csv(text: str) -> Glossary:
    """The glossary in a CSV text; GlossaryError names the first bad line."""
    lines = [
        (number, line)
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not lines:
        raise GlossaryError("line 1: no header; expected term,kind,definition[,language]")
    header_line, header_text = lines[0]
    header = _header(header_line, _cells(header_line, header_text))
    if len(lines) - 1 > MAX_FILE_ENTRIES:
        number = lines[MAX_FILE_ENTRIES + 1][0]
        raise GlossaryError(f"line {number}: too long, at most {MAX_FILE_ENTRIES} entries")
    terms = [_entry(number, header, _cells(number, line)) for number, line in lines[1:]]
    clash = first_clash(terms)
    if clash is not None:
        first, second = (lines[i + 1][0] for i in clash)
        raise GlossaryError(f"line {second}: duplicate term (first on line {first})")
    return Glossary(tuple(terms))


def _cells(number: int, line: str) -> list[str]:
    try:
        return next(csv.reader([line], strict=True))
    except csv.Error as exc:
        raise GlossaryError(f"line {number}: not a CSV row ({exc})") from None


def _header(number: int, cells: list[str]) -> tuple[str, ...]:
    names = tuple(cell.strip().lower() for cell in cells)
    unknown = [name for name in names if name not in COLUMNS]
    if unknown or len(set(names)) != len(names) or not REQUIRED_COLUMNS <= set(names):
        raise GlossaryError(
            f"line {number}: bad header {','.join(names)!r}; "
            "expected term,kind,definition[,language]"
        )
    return names


def _entry(number: int, header: tuple[str, ...], cells: list[str]) -> GlossaryTerm:
    if len(cells) > len(header):
        raise GlossaryError(f"line {number}: {len(cells)} cells but the header has {len(header)}")
    row = dict(zip(header, [c.strip() for c in cells] + [""] * len(header), strict=False))
    kind, language = row["kind"].lower() or "defined", row.get("language", "").lower()
    try:
        term = check_term(row["term"])
    except ValueError as exc:
        raise GlossaryError(f"line {number}: {exc}") from None
    if kind not in KINDS:
        raise GlossaryError(
            f"line {number}: unknown kind {kind[:40]!r}; expected one of {', '.join(KINDS)}"
        )
    if len(row["definition"]) > MAX_DEFINITION_CHARS:
        raise GlossaryError(
            f"line {number}: definition is longer than {MAX_DEFINITION_CHARS} characters"
        )
    if language not in ("", "de", "en"):
        raise GlossaryError(f"line {number}: language must be de, en or empty")
    return GlossaryTerm(term, kind, row["definition"], cast("Language | None", language or None))


def read_glossary(path: Path) -> Glossary:
    """The glossary file at path, parsed once per version of the file (path, mtime, size).

    Raises GlossaryError for a missing, unreadable or malformed file.
    """
    return _parse_file(path, *_stamp(path))


def _stamp(path: Path) -> tuple[int, int]:
    try:
        stat = path.stat()
    except OSError:
        raise GlossaryError(f"{path.name}: file not found") from None
    if not path.is_file():
        raise GlossaryError(f"{path.name}: not a file")
    return stat.st_mtime_ns, stat.st_size


@lru_cache(maxsize=16)
def _parse_file(path: Path, mtime_ns: int, size: int) -> Glossary:
    if size > MAX_FILE_BYTES:
        raise GlossaryError(f"{path.name}: too long, at most {MAX_FILE_BYTES} bytes")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError:
        raise GlossaryError(f"{path.name}: cannot be read") from None
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise GlossaryError(f"{path.name} line {line}: not UTF-8") from None
    try:
        glossary = parse_csv(text)
    except GlossaryError as exc:
        raise GlossaryError(f"{path.name} {exc}") from None
    log.info("glossary loaded", extra={"file": path.name, "terms": len(glossary.terms)})
    return glossary


_last_good: dict[Path, Glossary] = {}
_broken: set[tuple[Path, tuple[int, int] | None]] = set()


def current_glossary(path: Path) -> Glossary:
    """read_glossary for requests: a file that breaks after start-up (an edit half saved,
    a file removed) keeps serving its last good version, logged once per version, so an
    operator's typo never fails requests."""
    try:
        version: tuple[int, int] | None = _stamp(path)
    except GlossaryError:
        version = None
    if (path, version) not in _broken:
        try:
            _last_good[path] = read_glossary(path)
        except GlossaryError as exc:
            _broken.add((path, version))
            # The problem can quote a cell of the file: project vocabulary, so debug only.
            log.error("glossary file unusable, last good one kept", extra={"file": path.name})
            log.debug("glossary file problem", extra={"error": str(exc)})
    return _last_good.get(path, Glossary())
