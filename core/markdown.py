"""Requirements tables in markdown: parse them robustly, write them back with added columns.

The table is `| id | requirementText | context |` (header names case-insensitive, extra
columns kept, the id and context columns optional). Cells are split on unescaped pipes;
`\\|` is a literal pipe, `\\\\` a literal backslash, `<br>` a line break, and a pipe inside a
`code span` does not split. Rows that cannot be read are reported with their line number,
never dropped silently: `parse_table` raises `MalformedTable` listing every bad line.

Writing is the exact inverse of reading for any cell text (modulo surrounding whitespace and
line-ending style), which the property tests check.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from core.exceptions import InvalidRequest

ID_NAMES = frozenset({"id", "reqid", "requirementid", "anforderungsid"})
TEXT_NAMES = frozenset({"requirementtext", "requirement", "text", "anforderung"})
CONTEXT_NAMES = frozenset({"context", "kontext"})
_LANGUAGES = ("de", "en")

_DELIMITER_CELL = re.compile(r"\s*:?-+:?\s*")
_FENCE = re.compile(r"\s{0,3}(```|~~~)")
_BREAK = re.compile(r"<br\s*/?>", re.I)
_FREE_LANGUAGE = re.compile(r"\b(?:language|lang|sprache)\s*[:=]\s*(de|en)\b", re.I)
_ESCAPABLE = frozenset("\\|<`")
_LITERAL_BREAK = re.compile(r"<(?=br\s*/?>)", re.I)


class MalformedTable(InvalidRequest):
    """The table cannot be read; `details` lists each bad line as {line, message}."""

    def __init__(self, problems: Sequence[tuple[int, str]]) -> None:
        first_line, first_message = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(
            f"malformed requirements table at line {first_line}: {first_message}{more}",
            [{"line": line, "message": message} for line, message in problems],
        )


@dataclass(frozen=True, slots=True)
class TableRow:
    """One requirement row; `line` is 1-based in the source document."""

    line: int
    id: str
    text: str
    context: dict[str, Any]
    cells: tuple[str, ...]  # the raw cells as written, for writing the row back unchanged


@dataclass(frozen=True, slots=True)
class Table:
    """A parsed document: the requirement rows plus what is needed to write it back."""

    lines: tuple[str, ...]
    header: tuple[str, ...]
    header_index: int  # 0-based index of the header line in `lines`
    end_index: int  # 0-based index one past the last table line
    rows: tuple[TableRow, ...] = field(default=())


# -- cells ----------------------------------------------------------------------------------


def _backtick_run(line: str, start: int) -> int:
    end = start
    while end < len(line) and line[end] == "`":
        end += 1
    return end - start


def _split_cells(line: str) -> tuple[list[str], bool]:
    """Raw cells of a table line and whether the line had a trailing pipe.

    Escapes are kept in the raw cells (decoded later); a backtick run opens a code span
    only if a run of the same length closes it on the same line, as in CommonMark.
    """
    cells, current, index = [], [], 0
    trailing = False
    while index < len(line):
        char = line[index]
        if char == "\\" and index + 1 < len(line):
            current.append(line[index : index + 2])
            index += 2
            continue
        if char == "`":
            run = _backtick_run(line, index)
            closing = line.find("`" * run, index + run)
            while closing != -1 and _backtick_run(line, closing) != run:
                closing = line.find("`" * run, closing + _backtick_run(line, closing))
            stop = closing + run if closing != -1 else index + run
            current.append(line[index:stop])
            index = stop
            continue
        if char == "|":
            cells.append("".join(current))
            current = []
            trailing = line[index + 1 :].strip() == ""
            index += 1
            continue
        current.append(char)
        trailing = False
        index += 1
    cells.append("".join(current))
    return cells, trailing


def split_row(line: str) -> list[str]:
    """The stripped raw cells of a table line, without the optional outer pipes."""
    stripped = line.strip()
    cells, trailing = _split_cells(stripped)
    if stripped.startswith("|"):
        cells = cells[1:]
    if trailing and cells and cells[-1].strip() == "":
        cells = cells[:-1]
    return [cell.strip() for cell in cells]


def decode_cell(raw: str) -> str:
    """The text a raw cell stands for: escapes resolved, `<br>` turned into line breaks."""
    out, index = [], 0
    while index < len(raw):
        char = raw[index]
        if char == "\\" and index + 1 < len(raw) and raw[index + 1] in _ESCAPABLE:
            out.append(raw[index + 1])
            index += 2
            continue
        match = _BREAK.match(raw, index)
        if match:
            out.append("\n")
            index = match.end()
            continue
        out.append(char)
        index += 1
    return "".join(out)


def encode_cell(text: str) -> str:
    """A cell for any text: backslashes, pipes, backticks and literal `<br>` escaped, line
    breaks written as `<br>`. Backticks are escaped so that no code span can swallow the
    pipe between two cells."""
    escaped = normalize_cell_text(text).replace("\\", "\\\\")
    escaped = escaped.replace("|", "\\|").replace("`", "\\`")
    return _LITERAL_BREAK.sub("\\\\<", escaped).replace("\n", "<br>")


def normalize_cell_text(text: str) -> str:
    """What a text reads back as after a trip through a cell (the round-trip identity)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


# -- header, context ------------------------------------------------------------------------


def _column_key(name: str) -> str:
    return re.sub(r"[\s_\-`*]", "", name).lower()


def _find_column(header: Sequence[str], names: frozenset[str]) -> int | None:
    for index, name in enumerate(header):
        if _column_key(name) in names:
            return index
    return None


def _is_delimiter(line: str) -> bool:
    cells = split_row(line)
    return bool(cells) and "|" in line and all(_DELIMITER_CELL.fullmatch(c) for c in cells)


def _unwrap_code(text: str) -> str:
    """`REQ-1` and `{"language": "de"}` written as code spans (raw cells) mean the same as
    without; an escaped backtick does not start a code span."""
    if len(text) >= 2 and text.startswith("`") and text.endswith("`"):
        return text.strip("`").strip()
    return text


def parse_context(text: str) -> dict[str, Any]:
    """A context cell: a JSON object, or free text kept as `note` (with `language: de` read)."""
    text = text.strip()
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if isinstance(value, dict):
        language = value.get("language")
        if language is not None and language not in _LANGUAGES:
            raise ValueError(f"context language must be 'de' or 'en', got {str(language)[:20]!r}")
        return value
    if text.lower() in _LANGUAGES:
        return {"language": text.lower()}
    match = _FREE_LANGUAGE.search(text)
    return {"note": text, **({"language": match.group(1).lower()} if match else {})}


# -- the table ------------------------------------------------------------------------------


def _find_header(lines: Sequence[str]) -> int:
    """Index of the requirements table's header line (first table with a text column)."""
    in_fence, first_table = False, None
    for index in range(len(lines) - 1):
        if _FENCE.match(lines[index]):
            in_fence = not in_fence
        if in_fence or "|" not in lines[index] or not _is_delimiter(lines[index + 1]):
            continue
        if _find_column(split_row(lines[index]), TEXT_NAMES) is not None:
            return index
        first_table = index if first_table is None else first_table
    if first_table is not None:
        raise MalformedTable([(first_table + 1, "the table header has no requirementText column")])
    raise MalformedTable([(1, "no markdown table with a header and a |---| line found")])


def _row(
    index: int, cells: list[str], columns: tuple[int | None, int, int | None], width: int
) -> TableRow:
    id_col, text_col, context_col = columns
    if len(cells) > width and any(cells[width:]):
        raise ValueError(f"{len(cells)} cells but the header has {width} columns")
    cells = (cells + [""] * width)[:width]
    text = decode_cell(cells[text_col]).strip()
    if not text:
        raise ValueError("requirementText is empty")
    row_id = decode_cell(_unwrap_code(cells[id_col])).strip() if id_col is not None else ""
    if id_col is not None and not row_id:
        raise ValueError("id is empty")
    context = (
        parse_context(decode_cell(_unwrap_code(cells[context_col])))
        if context_col is not None
        else {}
    )
    return TableRow(index + 1, row_id, text, context, tuple(cells))


def parse_table(markdown: str) -> Table:
    """Read the requirements table of a markdown document.

    Raises MalformedTable naming every bad line (wrong cell count, empty text or id,
    duplicate id, bad context language), so nothing is silently dropped.
    """
    lines = tuple(markdown.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    header_index = _find_header(lines)
    header = tuple(split_row(lines[header_index]))
    if len(split_row(lines[header_index + 1])) != len(header):
        raise MalformedTable([(header_index + 2, "the |---| line and the header differ in width")])
    text_col = _find_column(header, TEXT_NAMES)
    assert text_col is not None  # _find_header only accepts headers with a text column
    columns = (_find_column(header, ID_NAMES), text_col, _find_column(header, CONTEXT_NAMES))
    rows: list[TableRow] = []
    problems: list[tuple[int, str]] = []
    seen: dict[str, int] = {}  # row id -> line it first appeared on
    end = header_index + 2
    while end < len(lines) and lines[end].strip() and "|" in lines[end]:
        try:
            row = _row(end, split_row(lines[end]), columns, len(header))
        except ValueError as exc:
            problems.append((end + 1, str(exc)))
        else:
            row_id = row.id or f"REQ_{len(rows) + 1}"
            if row_id in seen:
                first = seen[row_id]
                problems.append((end + 1, f"duplicate id {row_id!r} (first on line {first})"))
            seen.setdefault(row_id, end + 1)
            rows.append(TableRow(row.line, row_id, row.text, row.context, row.cells))
        end += 1
    if problems:
        raise MalformedTable(problems)
    return Table(lines, header, header_index, end, tuple(rows))


# -- writing --------------------------------------------------------------------------------


def render_row(cells: Sequence[str]) -> str:
    """A table line from raw (already escaped) cells."""
    return "| " + " | ".join(cells) + " |"


def render_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A table from plain texts: every header name and cell is escaped."""
    lines = [render_row([encode_cell(name) for name in header]), render_row(["---"] * len(header))]
    lines += [render_row([encode_cell(cell) for cell in row]) for row in rows]
    return "\n".join(lines)


def merge_columns(
    table: Table, additions: Mapping[str, Mapping[str, str]], columns: Sequence[str]
) -> str:
    """The document with `columns` filled in per row id (plain texts, escaped here).

    A column that already exists (case-insensitively) is overwritten rather than repeated,
    so running a batch on its own merged output gives the same table shape.
    """
    return "\n".join(merged_lines(table, additions, columns))


def merged_lines(
    table: Table, additions: Mapping[str, Mapping[str, str]], columns: Sequence[str]
) -> Iterator[str]:
    """The lines of merge_columns' document, one at a time: a batch answer writes them out
    as it sends them instead of holding the whole merged document."""
    header = list(table.header)
    positions = []
    for name in columns:
        existing = next(
            (i for i, h in enumerate(header) if _column_key(h) == _column_key(name)), None
        )
        if existing is None:
            header.append(name)
            existing = len(header) - 1
        positions.append(existing)
    yield from table.lines[: table.header_index]
    yield render_row([encode_cell(decode_cell(h)) for h in header])
    yield render_row(["---"] * len(header))
    for row in table.rows:
        cells = list(row.cells) + [""] * (len(header) - len(row.cells))
        values = additions.get(row.id, {})
        for name, position in zip(columns, positions, strict=True):
            cells[position] = encode_cell(values.get(name, ""))
        yield render_row(cells)
    yield from table.lines[table.end_index :]
