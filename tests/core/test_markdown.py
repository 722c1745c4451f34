"""Reading and writing requirements tables: the cases people write by hand."""

from __future__ import annotations

import pytest

from core.markdown import (
    MalformedTable,
    decode_cell,
    encode_cell,
    merge_columns,
    parse_context,
    parse_table,
    split_row,
)

TABLE = """# Spec

Intro with a | pipe in prose.

| id | requirementText | context |
|----|-----------------|---------|
| R1 | The system shall start. | {"language": "en"} |
| R2 | Das System muss starten. | {"language": "de"} |

After the table.
"""


def test_parse_table_reads_rows_with_line_numbers() -> None:
    table = parse_table(TABLE)
    assert [(r.line, r.id, r.text, r.context) for r in table.rows] == [
        (7, "R1", "The system shall start.", {"language": "en"}),
        (8, "R2", "Das System muss starten.", {"language": "de"}),
    ]


@pytest.mark.parametrize(
    "header",
    [
        "| ID | RequirementText | Context |",
        "| id | requirement_text | context |",
        "| Id | Requirement Text | CONTEXT |",
        "| `id` | **requirementText** | context |",
        "id | requirementText | context",
    ],
)
def test_parse_table_header_case_insensitive(header: str) -> None:
    table = parse_table(f"{header}\n|---|:---:|---:|\n| R1 | Text one. | |\n")
    assert [(r.id, r.text, r.context) for r in table.rows] == [("R1", "Text one.", {})]


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        (r"a \| b", "a | b"),
        (r"path C:\temp", r"path C:\temp"),
        (r"a \\| b", None),  # escaped backslash, then a real pipe: two cells -> too many
        ("uses `a|b` flag", "uses `a|b` flag"),
        ("unclosed ` tick | x", None),
        ("line one<br>line two", "line one\nline two"),
        (r"literal \<br> tag", "literal <br> tag"),
    ],
)
def test_parse_table_cell_escapes(cell: str, text: str | None) -> None:
    markdown = f"| id | requirementText |\n|---|---|\n| R1 | {cell} |\n"
    if text is None:
        with pytest.raises(MalformedTable) as caught:
            parse_table(markdown)
        assert caught.value.details == [
            {"line": 3, "message": "3 cells but the header has 2 columns"}
        ]
        return
    assert parse_table(markdown).rows[0].text == text


def test_parse_table_without_id_or_context_columns_numbers_rows() -> None:
    table = parse_table("| requirementText |\n|---|\n| First. |\n| Second. |\n")
    assert [(r.id, r.context) for r in table.rows] == [("REQ_1", {}), ("REQ_2", {})]


def test_parse_table_short_row_missing_context_is_empty() -> None:
    table = parse_table("| id | requirementText | context |\n|---|---|---|\n| R1 | Text. |\n")
    assert table.rows[0].context == {}


def test_parse_table_keeps_extra_columns_in_merge() -> None:
    markdown = "| id | priority | requirementText |\n|---|---|---|\n| R1 | high | Text. |\n"
    merged = merge_columns(parse_table(markdown), {"R1": {"score": "0.5"}}, ["score"])
    assert "| id | priority | requirementText | score |" in merged
    assert "| R1 | high | Text. | 0.5 |" in merged


def test_parse_table_skips_tables_in_code_fences() -> None:
    markdown = (
        "```\n| id | requirementText |\n|---|---|\n| X | fenced |\n```\n\n"
        "| id | requirementText |\n|---|---|\n| R1 | Real. |\n"
    )
    assert [r.id for r in parse_table(markdown).rows] == ["R1"]


def test_parse_table_picks_table_with_text_column() -> None:
    markdown = (
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n| id | requirementText |\n|---|---|\n| R1 | Real. |\n"
    )
    assert [r.id for r in parse_table(markdown).rows] == ["R1"]


@pytest.mark.parametrize(
    ("markdown", "line", "fragment"),
    [
        ("no table here", 1, "no markdown table"),
        ("| a | b |\n|---|---|\n| 1 | 2 |\n", 1, "no requirementText column"),
        ("| id | requirementText |\n|---|---|---|\n| R1 | x |\n", 2, "differ in width"),
        ("| id | requirementText |\n|---|---|\n| R1 |  |\n", 3, "requirementText is empty"),
        ("| id | requirementText |\n|---|---|\n|  | x |\n", 3, "id is empty"),
        ("| id | requirementText |\n|---|---|\n| R1 | x |\n| R1 | y |\n", 4, "duplicate id 'R1'"),
        (
            '| id | requirementText | context |\n|---|---|---|\n| R1 | x | {"language": "fr"} |\n',
            3,
            "context language",
        ),
    ],
)
def test_parse_table_malformed_names_line(markdown: str, line: int, fragment: str) -> None:
    with pytest.raises(MalformedTable) as caught:
        parse_table(markdown)
    assert caught.value.details[0]["line"] == line
    assert fragment in caught.value.details[0]["message"]
    assert f"line {line}" in caught.value.message


def test_parse_table_reports_every_bad_row() -> None:
    markdown = "| id | requirementText |\n|---|---|\n| R1 | |\n| R2 | ok |\n| | x |\n"
    with pytest.raises(MalformedTable) as caught:
        parse_table(markdown)
    assert [p["line"] for p in caught.value.details] == [3, 5]
    assert "(and 1 more)" in caught.value.message


@pytest.mark.parametrize(
    ("cell", "context"),
    [
        ('{"language": "de", "project": "x"}', {"language": "de", "project": "x"}),
        ('`{"language": "en"}`', {"language": "en"}),
        ("de", {"language": "de"}),
        ("Sprache: de, Modul Login", {"note": "Sprache: de, Modul Login", "language": "de"}),
        ("safety critical", {"note": "safety critical"}),
        ("[1, 2]", {"note": "[1, 2]"}),
        ("", {}),
    ],
)
def test_parse_context_json_or_free_text(cell: str, context: dict[str, object]) -> None:
    markdown = f"| id | requirementText | context |\n|---|---|---|\n| R1 | x | {cell} |\n"
    assert parse_table(markdown).rows[0].context == context


def test_parse_context_refuses_unknown_language() -> None:
    with pytest.raises(ValueError, match="'de' or 'en'"):
        parse_context('{"language": "fr"}')


def test_parse_table_unwraps_backticked_id() -> None:
    table = parse_table("| id | requirementText |\n|---|---|\n| `REQ-1` | Text `x` |\n")
    assert (table.rows[0].id, table.rows[0].text) == ("REQ-1", "Text `x`")


def test_merge_columns_overwrites_existing_column_and_keeps_prose() -> None:
    table = parse_table(TABLE)
    once = merge_columns(table, {"R1": {"score": "0.5", "verdict": "fail"}}, ["score", "verdict"])
    twice = merge_columns(parse_table(once), {"R1": {"Score": "0.9"}}, ["Score"])
    assert once.startswith("# Spec\n\nIntro with a | pipe in prose.\n")
    assert once.endswith("\nAfter the table.\n")
    assert '| R1 | The system shall start. | {"language": "en"} | 0.9 | fail |' in twice
    assert twice.count("score") == 1


def test_merge_columns_escapes_added_values() -> None:
    table = parse_table(TABLE)
    merged = merge_columns(table, {"R1": {"suggestions": "use | or \\\nnext"}}, ["suggestions"])
    assert r"use \| or \\<br>next" in merged
    row = parse_table(merged).rows[0]
    assert decode_cell(row.cells[-1]) == "use | or \\\nnext"


def test_split_row_without_outer_pipes() -> None:
    assert split_row("a | b \\| c | `d|e`") == ["a", "b \\| c", "`d|e`"]


def test_encode_cell_escapes_backticks_so_cells_cannot_merge() -> None:
    line = f"| {encode_cell('a`b')} | {encode_cell('c`d')} |"
    assert split_row(line) == [r"a\`b", r"c\`d"]
