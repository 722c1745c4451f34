"""A document's text cut into the units sentences are found in: prose paragraphs, list items
and table cells, each knowing the source line of every character.

Markdown structure decides what is text at all. Headings (ATX `#` and setext underlines),
fenced code, HTML comments, table headers and delimiter rows hold no requirement and are
skipped. Soft-wrapped lines of a paragraph join into one unit, so a sentence may run over
several lines (its line is the one it starts on). A list item (`-`, `*`, `+`, `•`, `1.`,
`1)`, `a)`) is a unit of its own, continuation lines included: an item is one statement even
without a full stop. Each cell of a table row is a unit on the row's line. A blockquote's
`>` is dropped and its text read as prose; emphasis markers (`**`, `__`) are dropped so that
`**MUSS**` reads as `MUSS`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Literal

from core.markdown import decode_cell, split_row

UnitKind = Literal["prose", "item", "cell"]

_HEADING = re.compile(r"\s{0,3}#{1,6}(?:\s|$)")
_FENCE = re.compile(r"\s{0,3}(```|~~~)")
_RULE = re.compile(r"\s{0,3}(?:=+|-+|\*{3,}|_{3,})\s*$")
_ITEM = re.compile(r"(\s*)(?:[-*+•]|\d{1,3}[.)]|[a-z]\))\s+(\S.*)$")
_DELIMITER = re.compile(r"\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$")
_QUOTE = re.compile(r"\s{0,3}>\s?")
_EMPHASIS = re.compile(r"\*\*|__")


@dataclass(slots=True)
class Unit:
    """Text to split into sentences, with the source line where each of its pieces starts."""

    kind: UnitKind
    text: str = ""
    marks: list[tuple[int, int]] = field(default_factory=list)  # (offset in text, line)

    def add(self, piece: str, line: int) -> None:
        """Append one source line's text, joined to the previous one by a space."""
        if self.text:
            self.text += " "
        self.marks.append((len(self.text), line))
        self.text += piece

    def line_at(self, offset: int) -> int:
        """The 1-based source line of the character at `offset`."""
        index = bisect_right(self.marks, (offset, 1 << 62)) - 1
        return self.marks[max(index, 0)][1]


def units(document: str) -> list[Unit]:
    """The units of a document, in source order."""
    out: list[Unit] = []
    current: Unit | None = None
    lines = document.splitlines()
    skip_until: re.Pattern[str] | None = None
    for number, raw in enumerate(lines, start=1):
        if skip_until is not None:
            if skip_until.search(raw):
                skip_until = None
            continue
        fence = _FENCE.match(raw)
        if fence or raw.lstrip().startswith("<!--"):
            current = _flush(out, current)
            if fence or "-->" not in raw:
                skip_until = re.compile(re.escape(fence.group(1)) if fence else "-->")
            continue
        line = _QUOTE.sub("", raw, count=1)
        if not line.strip():
            current = _flush(out, current)
        elif _HEADING.match(line):
            current = _flush(out, current)
        elif _RULE.match(line):
            # a setext underline makes the one-line paragraph above it a heading
            if current is not None and current.kind == "prose" and len(current.marks) == 1:
                current = None
            current = _flush(out, current)
        elif line.lstrip().startswith("|"):
            current = _flush(out, current)
            out.extend(_cells(line, number, lines))
        elif item := _ITEM.match(line):
            current = _flush(out, current)
            current = Unit("item")
            current.add(_clean(item.group(2)), number)
        else:
            if current is None:
                current = Unit("prose")
            current.add(_clean(line), number)
    _flush(out, current)
    return out


def _flush(out: list[Unit], current: Unit | None) -> Unit | None:
    """Keep the unit being built, if it holds text; return the next one to build (none yet)."""
    if current is not None and current.text.strip():
        out.append(current)
    return None


def _cells(line: str, number: int, lines: list[str]) -> list[Unit]:
    """A data row's cells; a header row (the next line is the delimiter) and the delimiter
    row give none."""
    following = lines[number] if number < len(lines) else ""
    if _DELIMITER.match(line) or _DELIMITER.match(following):
        return []
    cells = []
    for raw in split_row(line):
        unit = Unit("cell")
        unit.add(_clean(decode_cell(raw).replace("\n", " ")), number)
        if unit.text.strip():
            cells.append(unit)
    return cells


def _clean(text: str) -> str:
    return _EMPHASIS.sub("", text).strip()
