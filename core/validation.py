"""validate/batch (and its stream): many texts, all active criteria, results in input order.

Each item is the evaluation in the original system's shape (DESIGN §6); with
includeSuggestions it also carries the suggestion atoms, exactly as validate/suggest
returns them, so a client can put an atom's correction in place of the text and send the
atoms on to corrections/apply.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlmodel import Session

from core.atoms import SuggestionAtom
from core.catalogue import CriterionInfo
from core.checksums import text_checksum
from core.contract.evaluations import BatchValidateCreate, CriterionVerdict, ValidatedRequirement
from core.evaluation import Judgement, active_criteria, judge
from core.parallel import Outcome, run_ordered
from core.settings import Settings
from core.store.records import save_evaluations
from core.suggestions import suggest

Validated = tuple[Judgement, tuple[SuggestionAtom, ...] | None]


def validate_one(
    text: str, *, criteria: Sequence[CriterionInfo], settings: Settings, with_suggestions: bool
) -> Validated:
    """One item's judgement, and its atoms when asked for; touches no database."""
    if not with_suggestions:
        return judge(text, criteria=criteria, language=None, settings=settings), None
    suggested = suggest(text, criteria=criteria, language=None, settings=settings)
    return suggested.judgement, suggested.atoms


def validate_all(
    request: BatchValidateCreate, *, criteria: Sequence[CriterionInfo], settings: Settings
) -> Iterator[Outcome[str, Validated]]:
    """Every item validated in parallel (MAX_PARALLEL), yielded in input order."""
    return run_ordered(
        lambda text: validate_one(
            text, criteria=criteria, settings=settings, with_suggestions=request.include_suggestions
        ),
        request.items,
        max_parallel=settings.max_parallel,
        batch_size=settings.batch_size,
    )


def validate_batch(
    *, session: Session, settings: Settings, request: BatchValidateCreate, variant: str
) -> list[ValidatedRequirement]:
    """Evaluate a list of texts against all active criteria; one transaction stores them all."""
    criteria = active_criteria(session, None)
    outcomes = list(validate_all(request, criteria=criteria, settings=settings))
    failure = next((outcome.error for outcome in outcomes if outcome.error is not None), None)
    if failure is not None:
        raise failure
    results = [outcome.result for outcome in outcomes if outcome.result is not None]
    save_evaluations(
        session,
        [(j.result, text_checksum(t)) for (j, _), t in zip(results, request.items, strict=True)],
        variant=variant,
    )
    session.commit()
    return [
        to_validated(index, text, validated)
        for index, (text, validated) in enumerate(zip(request.items, results, strict=True))
    ]


def to_validated(index: int, text: str, validated: Validated) -> ValidatedRequirement:
    """The validate/batch item for the index-th text (ids REQ_1, REQ_2...)."""
    judgement, atoms = validated
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
        suggestions=list(atoms) if atoms is not None else None,
    )
