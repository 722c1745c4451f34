"""Property tests: writing a table and reading it back gives the texts that were written."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from core.markdown import (
    decode_cell,
    encode_cell,
    merge_columns,
    normalize_cell_text,
    parse_table,
    render_table,
)

# Markdown-hostile characters are over-represented so that escapes are exercised often.
_HOSTILE = st.sampled_from(
    [
        "|",
        "\\",
        "`",
        "<br>",
        "<BR/>",
        "<",
        "\n",
        "\r\n",
        "\r",
        " ",
        "-",
        ":",
        "{",
        "}",
        '"',
        "ä",
        "„",
    ]
)
_CHUNK = st.one_of(_HOSTILE, st.text(min_size=1, max_size=5))
cell_texts = st.lists(_CHUNK, max_size=12).map("".join)
requirement_texts = cell_texts.filter(lambda text: normalize_cell_text(text) != "")
ids = st.from_regex(r"[A-Za-z][A-Za-z0-9_\-]{0,11}", fullmatch=True)
contexts = st.dictionaries(
    st.sampled_from(["project", "note", "owner"]), st.text(max_size=10), max_size=2
)


@given(cell_texts)
def test_decode_cell_inverts_encode_cell(text: str) -> None:
    assert decode_cell(encode_cell(text)) == normalize_cell_text(text)


@given(st.lists(cell_texts, min_size=1, max_size=4))
def test_encode_cell_never_splits_a_row(texts: list[str]) -> None:
    table = render_table(
        ["requirementText", *[f"c{i}" for i in range(len(texts))]], [["text", *texts]]
    )
    assert len(parse_table(table).rows[0].cells) == len(texts) + 1


@settings(max_examples=150)
@given(
    st.lists(
        st.tuples(ids, requirement_texts, contexts),
        min_size=1,
        max_size=6,
        unique_by=lambda row: row[0],
    )
)
def test_parse_table_round_trips_rendered_rows(rows: list[tuple[str, str, dict[str, str]]]) -> None:
    markdown = render_table(
        ["id", "requirementText", "context"],
        [[i, text, json.dumps(ctx) if ctx else ""] for i, text, ctx in rows],
    )
    parsed = parse_table(markdown)
    assert [(r.id, r.text, r.context) for r in parsed.rows] == [
        (i, normalize_cell_text(text), ctx) for i, text, ctx in rows
    ]


@settings(max_examples=100)
@given(
    st.lists(
        st.tuples(ids, requirement_texts), min_size=1, max_size=5, unique_by=lambda row: row[0]
    ),
    st.lists(cell_texts, min_size=4, max_size=4),
)
def test_merge_columns_round_trips_added_values(
    rows: list[tuple[str, str]], values: list[str]
) -> None:
    columns = ["score", "verdict", "suggestions", "redefinedRequirement"]
    table = parse_table(render_table(["id", "requirementText"], rows))
    additions = {row_id: dict(zip(columns, values, strict=True)) for row_id, _ in rows}
    merged = parse_table(merge_columns(table, additions, columns))
    assert list(merged.header) == ["id", "requirementText", *columns]
    for row, (row_id, text) in zip(merged.rows, rows, strict=True):
        assert (row.id, row.text) == (row_id, normalize_cell_text(text))
        assert [decode_cell(cell) for cell in row.cells[2:]] == [
            normalize_cell_text(value) for value in values
        ]
