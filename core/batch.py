"""Batch work over many requirements: a markdown table (evaluate, suggest, rewrite) or a list.

Engine calls run in parallel through core.parallel; results are consumed in order in the
calling thread, which alone writes to the database. A table or list batch writes its rows
in one transaction once every item is judged, so an attempt stores all its rows or none
(the gateway may give up on it, core.attempts), and parallel batches never contend for
SQLite's write lock beyond a short commit; the stream commits every BATCH_SIZE items, as
it goes. Evaluation ids derive from the request (core.idempotency), so a request executed
twice stores one set of rows. A failing item lands in `errors`; the others complete.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Literal, NamedTuple, TypeVar

import orjson
from sqlmodel import Session

from core.atoms import SuggestionAtom
from core.attempts import check_attempt
from core.catalogue import CriterionInfo
from core.checksums import text_checksum
from core.contract.batch import (
    AtomList,
    BatchItemPublic,
    DemoRequirement,
    DemoRequirementsPublic,
    EngineUsed,
    ItemError,
    SuggestPublic,
)
from core.contract.bodies import BatchInput, read_requirements_file, row_glossary
from core.contract.evaluations import BatchValidateCreate
from core.engines.base import Language
from core.engines.results import EngineMeta
from core.evaluation import Judgement, active_criteria, judge
from core.exceptions import ApiError
from core.glossary import Glossary
from core.idempotency import RequestRowIds, request_row_ids
from core.limits import batch_slot
from core.markdown import TableRow
from core.parallel import Outcome, run_ordered
from core.settings import Settings
from core.similarity import near_duplicates
from core.store.records import RecordRows, store
from core.suggestions import suggest
from core.table_answer import TableAnswer, compact_evaluation

Mode = Literal["evaluate", "suggest", "rewrite"]
ADDED_COLUMNS: dict[Mode, tuple[str, ...]] = {
    "evaluate": ("score", "verdict"),
    "suggest": ("score", "verdict", "suggestions"),
    "rewrite": ("score", "verdict", "suggestions", "redefinedRequirement"),
}
ItemT = TypeVar("ItemT")
ResultT = TypeVar("ResultT")
logger = logging.getLogger("reqgate.batch")


class TextItem(NamedTuple):
    """One text to work on, with the language and glossary its row's context gives, and
    the evaluation id derived for it (None: the engine's random one)."""

    text: str
    language: Language | None = None
    glossary: Glossary | None = None
    evaluation_id: str | None = None


@dataclass(frozen=True, slots=True)
class RowResult:
    """What one item produced: the judgement, and the atoms and rewrite when asked for."""

    judgement: Judgement
    atoms: tuple[SuggestionAtom, ...] | None = None
    redefined: str | None = None
    meta: EngineMeta | None = None  # the engine behind atoms and rewrite

    def with_id(self, evaluation_id: str | None) -> RowResult:
        """The same result under the evaluation id derived for its item."""
        if evaluation_id is None:
            return self
        result = self.judgement.result.model_copy(update={"evaluation_id": evaluation_id})
        return replace(self, judgement=replace(self.judgement, result=result))


def item_error(index: int, exc: Exception) -> ItemError:
    """The client-safe description of a failed item; exception text never leaves the server."""
    logger.warning("batch item %d failed: %s", index, type(exc).__name__)
    logger.debug("batch item %d failure", index, exc_info=exc)
    if isinstance(exc, ApiError):
        return ItemError(error=exc.code, message=exc.message)
    return ItemError(
        error="internal_error", message="evaluation failed; quote the request id when reporting it"
    )


def _row_result(
    item: TextItem, *, mode: Mode, criteria: list[CriterionInfo], settings: Settings
) -> RowResult:
    """The engine calls one item needs: evaluate; plus suggest; plus rewrite."""
    return _judged(item, mode=mode, criteria=criteria, settings=settings).with_id(
        item.evaluation_id
    )


def _judged(
    item: TextItem, *, mode: Mode, criteria: list[CriterionInfo], settings: Settings
) -> RowResult:
    text, language, glossary, _ = item
    if mode == "evaluate":
        return RowResult(
            judge(text, criteria=criteria, language=language, settings=settings, glossary=glossary)
        )
    suggested = suggest(
        text,
        criteria=criteria,
        language=language,
        settings=settings,
        glossary=glossary,
        with_rewrite=mode == "rewrite",
    )
    rewritten = suggested.rewrite
    if rewritten is None:
        return RowResult(suggested.judgement, suggested.atoms, meta=suggested.meta)
    meta = suggested.meta if suggested.meta.fallback_reason else rewritten.meta
    return RowResult(suggested.judgement, suggested.atoms, rewritten.text, meta)


def judge_all(
    texts: Iterable[TextItem],
    *,
    criteria: list[CriterionInfo],
    settings: Settings,
    mode: Mode = "suggest",
) -> Iterator[Outcome[TextItem, RowResult]]:
    """Run `mode` for every item, in parallel, yielded in order."""

    def work(item: TextItem) -> RowResult:
        return _row_result(item, mode=mode, criteria=criteria, settings=settings)

    return run_ordered(
        work, texts, max_parallel=settings.max_parallel, batch_size=settings.batch_size
    )


def saved(
    session: Session,
    outcomes: Iterable[Outcome[ItemT, ResultT]],
    *,
    batch_size: int,
    save: Callable[[Session, list[tuple[ItemT, ResultT]]], None],
) -> Iterator[Outcome[ItemT, ResultT]]:
    """Pass the outcomes through, storing the successes one transaction (one `save`, which
    commits) per `batch_size`.

    Also stores what is pending when the consumer stops early (a closed stream).
    """
    pending: list[tuple[ItemT, ResultT]] = []
    try:
        for outcome in outcomes:
            if outcome.result is not None:
                pending.append((outcome.item, outcome.result))
                if len(pending) >= batch_size:
                    chunk, pending = pending, []
                    save(session, chunk)
            yield outcome
    finally:
        if pending:
            save(session, pending)


def record(rows: RecordRows, item: TextItem, row: RowResult, variant: str) -> None:
    """Add one item's checksum-only evaluation, and the rewrite made, to `rows`."""
    rows.add(
        row.judgement.result,
        text_sha256=text_checksum(item.text),
        variant=variant,
        rewritten=row.redefined,
    )


def saver(variant: str) -> Callable[[Session, list[tuple[TextItem, RowResult]]], None]:
    """How rows are stored: checksum-only evaluations, and the rewrites made, one durable
    transaction per chunk."""

    def save(session: Session, chunk: list[tuple[TextItem, RowResult]]) -> None:
        rows = RecordRows()
        for item, row in chunk:
            record(rows, item, row, variant)
        store(session, rows)

    return save


def text_items(texts: Iterable[str], scope: RequestRowIds) -> Iterator[TextItem]:
    """The items of a list batch, each with its evaluation id derived from the request."""
    for index, text in enumerate(texts):
        yield TextItem(text, evaluation_id=scope.item_id(index, text_checksum(text)))


def _columns(row: RowResult) -> dict[str, str]:
    result = row.judgement.result
    values = {"score": str(result.score), "verdict": result.verdict}
    if row.atoms is not None:
        values["suggestions"] = "\n".join(a.notes or a.correction for a in row.atoms)
    if row.redefined is not None:
        values["redefinedRequirement"] = row.redefined
    return values


def _item_json(row: TableRow, result: RowResult) -> bytes:
    """One row's item, as the JSON it is sent as (its models are dropped at once)."""
    engine = EngineUsed.fields_of(result.meta) if result.meta is not None else {}
    item = BatchItemPublic(
        line=row.line,
        evaluation=compact_evaluation(result.judgement.result),
        suggestions=list(result.atoms) if result.atoms is not None else None,
        redefined_requirement=result.redefined,
        **engine,
    )
    return item.model_dump_json(by_alias=True, exclude_none=True).encode()


def _table_items(source: BatchInput, mode: Mode) -> Iterator[TextItem]:
    """The rows as items; everything that decides a row's result goes into its id."""
    criteria = ",".join(source.criteria_keys or ())
    scope = request_row_ids(f"batch/{mode}", criteria)
    for index, row in enumerate(source.table.rows):
        context = orjson.dumps(row.context, option=orjson.OPT_SORT_KEYS).decode()
        evaluation_id = scope.item_id(index, text_checksum(row.text), context)
        language = row.context.get("language")
        yield TextItem(row.text, language, row_glossary(row.context), evaluation_id)


def answer_table(
    *,
    session: Session,
    settings: Settings,
    source: BatchInput,
    mode: Mode,
    variant: str,
    on_item: Callable[[], object] | None = None,  # object: its return value is ignored
) -> TableAnswer:
    """Evaluate (and suggest, rewrite) every row of the table, store the rows in one
    transaction, and return the answer ready to send (core.table_answer).

    Takes one of MAX_CONCURRENT_BATCHES slots for the work (503 when none is free).
    """
    with batch_slot(settings):
        criteria = active_criteria(session, source.criteria_keys)
        rows = source.table.rows
        answer = TableAnswer(source.table, ADDED_COLUMNS[mode])
        records = RecordRows()
        outcomes = judge_all(
            _table_items(source, mode), criteria=criteria, settings=settings, mode=mode
        )
        for outcome in outcomes:
            check_attempt()
            row = rows[outcome.index]
            if outcome.result is not None:
                record(records, outcome.item, outcome.result, variant)
                answer.add_item(row.id, _item_json(row, outcome.result))
                answer.columns[row.id] = _columns(outcome.result)
            else:
                answer.errors[row.id] = item_error(outcome.index, outcome.error or RuntimeError())
                answer.columns[row.id] = {"verdict": "error"}
            if on_item is not None:
                on_item()
        check_attempt()
        store(session, records)
        answer.near_duplicates = near_duplicates(
            {r.id: r.text for r in rows}, threshold=settings.near_duplicate_threshold
        )
    return answer


def suggest_texts(
    *, session: Session, settings: Settings, request: BatchValidateCreate, variant: str
) -> SuggestPublic:
    """Suggestion atoms for a list of texts, keyed REQ_1, REQ_2... as validate/batch names
    them; one transaction stores them all, in one of MAX_CONCURRENT_BATCHES slots."""
    with batch_slot(settings):
        criteria = active_criteria(session, None)
        response = SuggestPublic(items={}, errors={})
        records = RecordRows()
        items = text_items(request.items, request_row_ids("validate/suggest"))
        for outcome in judge_all(items, criteria=criteria, settings=settings):
            check_attempt()
            key = f"REQ_{outcome.index + 1}"
            if outcome.result is not None:
                row = outcome.result
                assert row.atoms is not None and row.meta is not None  # suggest mode sets both
                record(records, outcome.item, row, variant)
                response.items[key] = AtomList(
                    suggestions=list(row.atoms), **EngineUsed.fields_of(row.meta)
                )
            else:
                response.errors[key] = item_error(outcome.index, outcome.error or RuntimeError())
        check_attempt()
        store(session, records)
    return response


def demo_requirements(settings: Settings) -> DemoRequirementsPublic:
    """The example requirements at REQUIREMENTS_MD_PATH, for web clients to load."""
    table = read_requirements_file(settings)
    return DemoRequirementsPublic(
        items=[
            DemoRequirement(id=row.id, requirement_text=row.text, context=row.context)
            for row in table.rows
        ]
    )
