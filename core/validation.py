"""validate/batch (and its stream): many texts, all active criteria, results in input order.

Each item is the evaluation in the original system's shape (DESIGN §6); with
includeSuggestions it also carries the suggestion atoms, exactly as validate/suggest
returns them, so a client can put an atom's correction in place of the text and send the
atoms on to corrections/apply.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlmodel import Session

from core.attempts import check_attempt
from core.batch import RowResult, TextItem, judge_all, saver, text_items
from core.catalogue import CriterionInfo
from core.contract.evaluations import BatchValidateCreate, CriterionVerdict, ValidatedRequirement
from core.evaluation import active_criteria
from core.idempotency import request_row_ids
from core.limits import batch_slot
from core.parallel import Outcome
from core.settings import Settings


def validate_all(
    request: BatchValidateCreate,
    *,
    criteria: Sequence[CriterionInfo],
    settings: Settings,
    route: str,
) -> Iterator[Outcome[TextItem, RowResult]]:
    """Every item validated (with its atoms when asked for), in parallel, in input order:
    the one "judge a list" of core.batch, as the table routes use it."""
    scope = request_row_ids(route, str(request.include_suggestions))
    return judge_all(
        text_items(request.items, scope),
        criteria=list(criteria),
        settings=settings,
        mode="suggest" if request.include_suggestions else "evaluate",
    )


def validate_batch(
    *, session: Session, settings: Settings, request: BatchValidateCreate, variant: str
) -> list[ValidatedRequirement]:
    """Evaluate a list of texts against all active criteria; one transaction stores them
    all, in one of MAX_CONCURRENT_BATCHES slots."""
    with batch_slot(settings):
        criteria = active_criteria(session, None)
        outcomes = list(
            validate_all(request, criteria=criteria, settings=settings, route="validate/batch")
        )
        # The one list policy gives per-item errors; validate/batch's shape (DESIGN §6) has
        # no place for one, so its first failure fails the request (the stream reports each).
        failure = next((outcome.error for outcome in outcomes if outcome.error is not None), None)
        if failure is not None:
            raise failure
        results = [(o.item, o.result) for o in outcomes if o.result is not None]
        check_attempt()
        saver(variant)(session, results)
    return [to_validated(index, item.text, row) for index, (item, row) in enumerate(results)]


def to_validated(index: int, text: str, row: RowResult) -> ValidatedRequirement:
    """The validate/batch item for the index-th text (ids REQ_1, REQ_2...)."""
    judgement = row.judgement
    result = judgement.result
    return ValidatedRequirement(
        id=f"REQ_{index + 1}",
        original_text=text,
        corrected_text=judgement.rewrite or text,
        status="accepted" if result.verdict == "pass" else "rejected",
        evaluation=[
            CriterionVerdict(criterion=d.criterion, is_valid=d.passed, reason=d.feedback)
            for d in result.details
        ],
        score=result.score,
        verdict=result.verdict,
        suggestions=list(row.atoms) if row.atoms is not None else None,
    )
