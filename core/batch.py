"""Batch work over many requirements: a markdown table (evaluate, suggest, rewrite) or a list.

Engine calls run in parallel through core.parallel; results are consumed in order in the
calling thread, which alone writes to the database, one transaction per BATCH_SIZE items,
so parallel batches never contend for SQLite's write lock beyond a short commit. A
failing item lands in `errors`; the others complete.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Literal, TypeVar

from sqlmodel import Session

from core.batch_payloads import BatchInput, read_requirements_file
from core.batch_schemas import (
    AtomList,
    BatchItemPublic,
    BatchPublic,
    DemoRequirement,
    DemoRequirementsPublic,
    ItemError,
    SuggestPublic,
)
from core.checksums import text_checksum
from core.corrections import apply_atoms
from core.criteria import CriterionInfo
from core.engines.base import Language
from core.evaluation import active_criteria
from core.exceptions import ApiError
from core.markdown import TableRow, merge_columns
from core.parallel import Outcome, run_ordered
from core.schemas import BatchValidateCreate
from core.settings import Settings
from core.similarity import near_duplicates
from core.store.models import RewriteRecord
from core.store.records import save_evaluations
from core.suggestions import Suggested, suggest

Mode = Literal["evaluate", "suggest", "rewrite"]
ADDED_COLUMNS: dict[Mode, tuple[str, ...]] = {
    "evaluate": ("score", "verdict"),
    "suggest": ("score", "verdict", "suggestions"),
    "rewrite": ("score", "verdict", "suggestions", "redefinedRequirement"),
}
ItemT = TypeVar("ItemT")
ResultT = TypeVar("ResultT")
TextItem = tuple[str, Language | None]
logger = logging.getLogger("reqgate.batch")


@dataclass(frozen=True, slots=True)
class RowResult:
    """What one item produced: the judgement and atoms, and the rewrite when asked for."""

    suggested: Suggested
    redefined: str | None = None


def item_error(index: int, exc: Exception) -> ItemError:
    """The client-safe description of a failed item; exception text never leaves the server."""
    logger.warning("batch item %d failed: %s", index, type(exc).__name__)
    logger.debug("batch item %d failure", index, exc_info=exc)
    if isinstance(exc, ApiError):
        return ItemError(error=exc.code, message=exc.message)
    return ItemError(
        error="internal_error", message="evaluation failed; quote the request id when reporting it"
    )


def judge_all(
    texts: Iterable[TextItem],
    *,
    criteria: list[CriterionInfo],
    settings: Settings,
    rewrite: bool = False,
) -> Iterator[Outcome[TextItem, RowResult]]:
    """Suggest (judge plus atoms) for every (text, language), in parallel, yielded in order."""

    def work(item: TextItem) -> RowResult:
        text, language = item
        suggested = suggest(text, criteria=criteria, language=language, settings=settings)
        if not rewrite:
            return RowResult(suggested)
        redefined = (
            suggested.judgement.rewrite or apply_atoms(text, suggested.atoms, mode="merge")[0]
        )
        return RowResult(suggested, redefined)

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
    """Pass the outcomes through, storing the successes one transaction per `batch_size`.

    Also stores what is pending when the consumer stops early (a closed stream).
    """
    pending: list[tuple[ItemT, ResultT]] = []
    try:
        for outcome in outcomes:
            if outcome.result is not None:
                pending.append((outcome.item, outcome.result))
                if len(pending) >= batch_size:
                    save(session, pending)
                    session.commit()
                    pending = []
            yield outcome
    finally:
        if pending:
            save(session, pending)
            session.commit()


def _saver(variant: str) -> Callable[[Session, list[tuple[TextItem, RowResult]]], None]:
    def save(session: Session, chunk: list[tuple[TextItem, RowResult]]) -> None:
        save_evaluations(
            session,
            [(row.suggested.judgement.result, text_checksum(item[0])) for item, row in chunk],
            variant=variant,
        )
        session.add_all(
            RewriteRecord(
                evaluation_id=row.suggested.judgement.result.evaluation_id,
                original_checksum=text_checksum(item[0]),
                rewritten_checksum=text_checksum(row.redefined),
                source="engine",
            )
            for item, row in chunk
            if row.redefined is not None
        )

    return save


def _columns(row: RowResult, mode: Mode) -> dict[str, str]:
    result = row.suggested.judgement.result
    values = {"score": str(result.score), "verdict": result.verdict}
    if mode != "evaluate":
        values["suggestions"] = "\n".join(a.notes or a.correction for a in row.suggested.atoms)
    if row.redefined is not None:
        values["redefinedRequirement"] = row.redefined
    return values


def _item(row: TableRow, result: RowResult, mode: Mode) -> BatchItemPublic:
    return BatchItemPublic(
        line=row.line,
        evaluation=result.suggested.judgement.result,
        suggestions=result.suggested.atoms if mode != "evaluate" else None,
        redefined_requirement=result.redefined,
    )


def run_table(
    *,
    session: Session,
    settings: Settings,
    source: BatchInput,
    mode: Mode,
    variant: str,
    on_item: Callable[[], None] | None = None,
) -> BatchPublic:
    """Evaluate (and suggest, rewrite) every row of the table; merge the results into it."""
    criteria = active_criteria(session, source.criteria_keys)
    rows = source.table.rows
    items: dict[str, BatchItemPublic] = {}
    errors: dict[str, ItemError] = {}
    columns: dict[str, dict[str, str]] = {}
    outcomes = judge_all(
        ((r.text, r.context.get("language")) for r in rows),
        criteria=criteria,
        settings=settings,
        rewrite=mode == "rewrite",
    )
    for outcome in saved(session, outcomes, batch_size=settings.batch_size, save=_saver(variant)):
        row = rows[outcome.index]
        if outcome.result is not None:
            items[row.id] = _item(row, outcome.result, mode)
            columns[row.id] = _columns(outcome.result, mode)
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
        ((text, None) for text in request.items), criteria=criteria, settings=settings
    )
    for outcome in saved(session, outcomes, batch_size=settings.batch_size, save=_saver(variant)):
        key = f"REQ_{outcome.index + 1}"
        if outcome.result is not None:
            response.items[key] = AtomList(suggestions=outcome.result.suggested.atoms)
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
