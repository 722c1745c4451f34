"""Batch work over many requirements: a markdown table (evaluate, suggest, rewrite) or a list.

Engine calls run in parallel through core.parallel; results are consumed in order in the
calling thread, which alone writes to the database, so the write lock is held only for
short inserts, never during engine calls. A table or list answered in one response is
stored in one transaction at its end: a request that fails, or a process killed in the
middle of it, leaves none of its rows (issue 12). A stream stores one transaction per
BATCH_SIZE items, as its client sees them. A failing item lands in `errors`; the others
complete.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Literal, NamedTuple, TypeVar

from sqlmodel import Session

from core.atoms import SuggestionAtom
from core.catalogue import CriterionInfo
from core.checksums import text_checksum
from core.contract.batch import (
    AtomList,
    BatchItemPublic,
    BatchPublic,
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
from core.markdown import TableRow, merge_columns
from core.parallel import Outcome, run_ordered
from core.settings import Settings
from core.similarity import near_duplicates
from core.store.db import writing
from core.store.models import RewriteRecord
from core.store.records import save_evaluations
from core.suggestions import suggest

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
    """One text to work on, with the language and glossary its row's context gives."""

    text: str
    language: Language | None = None
    glossary: Glossary | None = None


@dataclass(frozen=True, slots=True)
class RowResult:
    """What one item produced: the judgement, and the atoms and rewrite when asked for."""

    judgement: Judgement
    atoms: tuple[SuggestionAtom, ...] | None = None
    redefined: str | None = None
    meta: EngineMeta | None = None  # the engine behind atoms and rewrite


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
    text, language, glossary = item
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
    batch_size: int | None,
    save: Callable[[Session, list[tuple[ItemT, ResultT]]], None],
) -> Iterator[Outcome[ItemT, ResultT]]:
    """Pass the outcomes through, storing the successes one transaction per `batch_size`,
    or with None in one transaction once the last has passed (all or nothing).

    With a batch size it also stores what is pending when the consumer stops early (a
    closed stream, whose client has seen those items); without, a consumer that stops
    early (an error) stores nothing.
    """
    pending: list[tuple[ItemT, ResultT]] = []
    try:
        for outcome in outcomes:
            if outcome.result is not None:
                pending.append((outcome.item, outcome.result))
                if batch_size is not None and len(pending) >= batch_size:
                    chunk, pending = pending, []
                    _store(session, save, chunk)
            yield outcome
    except GeneratorExit:
        if batch_size is not None and pending:
            _store(session, save, pending)
        raise
    if pending:
        _store(session, save, pending)


def _store(
    session: Session,
    save: Callable[[Session, list[tuple[ItemT, ResultT]]], None],
    chunk: list[tuple[ItemT, ResultT]],
) -> None:
    with writing(session):
        save(session, chunk)


def saver(variant: str) -> Callable[[Session, list[tuple[TextItem, RowResult]]], None]:
    """How rows are stored: checksum-only evaluations, and the rewrites made."""

    def save(session: Session, chunk: list[tuple[TextItem, RowResult]]) -> None:
        save_evaluations(
            session,
            [(row.judgement.result, text_checksum(item.text)) for item, row in chunk],
            variant=variant,
        )
        session.add_all(
            RewriteRecord(
                evaluation_id=row.judgement.result.evaluation_id,
                original_checksum=text_checksum(item.text),
                rewritten_checksum=text_checksum(row.redefined),
                source="engine",
            )
            for item, row in chunk
            if row.redefined is not None
        )

    return save


def _columns(row: RowResult) -> dict[str, str]:
    result = row.judgement.result
    values = {"score": str(result.score), "verdict": result.verdict}
    if row.atoms is not None:
        values["suggestions"] = "\n".join(a.notes or a.correction for a in row.atoms)
    if row.redefined is not None:
        values["redefinedRequirement"] = row.redefined
    return values


def _item(row: TableRow, result: RowResult) -> BatchItemPublic:
    engine = EngineUsed.fields_of(result.meta) if result.meta is not None else {}
    return BatchItemPublic(
        line=row.line,
        evaluation=result.judgement.result,
        suggestions=list(result.atoms) if result.atoms is not None else None,
        redefined_requirement=result.redefined,
        **engine,
    )


def run_table(
    *,
    session: Session,
    settings: Settings,
    source: BatchInput,
    mode: Mode,
    variant: str,
    on_item: Callable[[], object] | None = None,  # object: its return value is ignored
) -> BatchPublic:
    """Evaluate (and suggest, rewrite) every row of the table; merge the results into it."""
    criteria = active_criteria(session, source.criteria_keys)
    rows = source.table.rows
    items: dict[str, BatchItemPublic] = {}
    errors: dict[str, ItemError] = {}
    columns: dict[str, dict[str, str]] = {}
    outcomes = judge_all(
        (TextItem(r.text, r.context.get("language"), row_glossary(r.context)) for r in rows),
        criteria=criteria,
        settings=settings,
        mode=mode,
    )
    for outcome in saved(session, outcomes, batch_size=None, save=saver(variant)):
        row = rows[outcome.index]
        if outcome.result is not None:
            items[row.id] = _item(row, outcome.result)
            columns[row.id] = _columns(outcome.result)
        else:
            errors[row.id] = item_error(outcome.index, outcome.error or RuntimeError())
            columns[row.id] = {"verdict": "error"}
        if on_item is not None:
            on_item()
    return BatchPublic(
        items=items,
        errors=errors,
        merged_markdown=merge_columns(source.table, columns, ADDED_COLUMNS[mode]),
        near_duplicates=near_duplicates(
            {r.id: r.text for r in rows}, threshold=settings.near_duplicate_threshold
        ),
    )


def suggest_texts(
    *, session: Session, settings: Settings, request: BatchValidateCreate, variant: str
) -> SuggestPublic:
    """Suggestion atoms for a list of texts, keyed REQ_1, REQ_2... as validate/batch names them."""
    criteria = active_criteria(session, None)
    response = SuggestPublic(items={}, errors={})
    outcomes = judge_all(
        (TextItem(text) for text in request.items), criteria=criteria, settings=settings
    )
    for outcome in saved(session, outcomes, batch_size=None, save=saver(variant)):
        key = f"REQ_{outcome.index + 1}"
        if outcome.result is not None:
            row = outcome.result
            assert row.atoms is not None and row.meta is not None  # suggest mode sets both
            response.items[key] = AtomList(
                suggestions=list(row.atoms), **EngineUsed.fields_of(row.meta)
            )
        else:
            response.errors[key] = item_error(outcome.index, outcome.error or RuntimeError())
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
