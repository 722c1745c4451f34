"""The answer of a table batch, held compactly and written out in pieces.

A 1,000-row batch/evaluate answered 45.8 MB and took the process from 112 MB to 801 MB
(issue 12): every row's result lived as pydantic models until the whole response was one
string, and a long row listed each finding under every criterion it touches, ~300
findings of ~170 bytes. So an item is turned into its JSON the moment it is judged, each
criterion of an item lists its first MAX_FINDINGS_PER_CRITERION findings (the most severe
first) with `findingsOmitted` counting the rest (POST /api/v1/evaluations still lists them
all), and the merged table is written row by row as the body is sent.

The body is exactly the JSON of core.contract.batch.BatchPublic: items, errors,
mergedMarkdown, nearDuplicates.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import orjson

from core.contract.batch import BatchPublic, DuplicatePair, ItemError
from core.contract.evaluations import CriterionDetail, EvaluationPublic
from core.contract.wire import to_wire
from core.markdown import Table, merged_lines

# Enough to show every kind of defect a criterion failed on; a criterion of a realistic
# requirement has fewer, and one with more repeats the same few codes along a long text.
MAX_FINDINGS_PER_CRITERION = 5
CHUNK_BYTES = 64 * 1024  # pieces of the body: few sends, little held
_SEVERITY_RANK = {"blocker": 0, "major": 1, "minor": 2}


def _compact_detail(detail: CriterionDetail) -> CriterionDetail:
    if len(detail.findings) <= MAX_FINDINGS_PER_CRITERION:
        return detail
    ranked = sorted(detail.findings, key=lambda f: (_SEVERITY_RANK[f.severity], f.start))
    kept = sorted(ranked[:MAX_FINDINGS_PER_CRITERION], key=lambda f: f.start)
    omitted = len(detail.findings) - len(kept)
    return detail.model_copy(update={"findings": kept, "findings_omitted": omitted})


def compact_evaluation(result: EvaluationPublic) -> EvaluationPublic:
    """The evaluation with at most MAX_FINDINGS_PER_CRITERION findings per criterion."""
    details = [_compact_detail(detail) for detail in result.details]
    return result.model_copy(update={"details": details})


@dataclass
class TableAnswer:
    """Items as JSON in row order, errors and the merged columns by row id."""

    table: Table
    added_columns: Sequence[str]
    items: list[bytes] = field(default_factory=list)  # '"rowId":{...}' members
    errors: dict[str, ItemError] = field(default_factory=dict)
    columns: dict[str, dict[str, str]] = field(default_factory=dict)
    near_duplicates: list[DuplicatePair] = field(default_factory=list)

    def add_item(self, row_id: str, item_json: bytes) -> None:
        self.items.append(orjson.dumps(row_id) + b":" + item_json)

    def _pieces(self) -> Iterator[bytes]:
        yield b'{"items":{'
        yield b",".join(self.items)
        errors = {row_id: to_wire(error) for row_id, error in self.errors.items()}
        yield b'},"errors":' + orjson.dumps(errors) + b',"mergedMarkdown":"'
        lines = merged_lines(self.table, self.columns, self.added_columns)
        for index, line in enumerate(lines):
            yield (b"\\n" if index else b"") + orjson.dumps(line)[1:-1]
        pairs = [to_wire(pair) for pair in self.near_duplicates]
        yield b'","nearDuplicates":' + orjson.dumps(pairs) + b"}"

    def chunks(self) -> Iterator[bytes]:
        """The JSON body in pieces of about CHUNK_BYTES."""
        buffer = bytearray()
        for piece in self._pieces():
            buffer += piece
            if len(buffer) >= CHUNK_BYTES:
                yield bytes(buffer)
                buffer.clear()
        if buffer:
            yield bytes(buffer)

    def public(self) -> BatchPublic:
        """The whole answer as one model, for the CLI (which prints it) and tests."""
        return BatchPublic.model_validate_json(b"".join(self.chunks()))
