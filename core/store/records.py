"""Writing evaluation outcomes: checksums, scores and codes, never the text."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from core.checksums import text_checksum
from core.schemas import EvaluationPublic
from core.store.models import Evaluation, EvaluationDetail, SuggestionRecord


def save_evaluation(
    session: Session, *, result: EvaluationPublic, text_sha256: str, variant: str
) -> None:
    """Add the evaluation, its per-criterion details and its suggestions to the session."""
    session.add(
        Evaluation(
            id=result.evaluation_id,
            checksum=text_sha256,
            language=result.language,
            score=result.score,
            verdict=result.verdict,
            engine=result.engine,
            model=result.model,
            variant=variant,
            latency_ms=result.latency_ms,
            fallback_reason=result.fallback_reason,
        )
    )
    session.add_all(
        EvaluationDetail(
            evaluation_id=result.evaluation_id,
            criterion=detail.criterion,
            score=detail.score,
            passed=detail.passed,
            finding_codes=",".join(dict.fromkeys(f.code for f in detail.findings)),
        )
        for detail in result.details
    )
    session.add_all(
        SuggestionRecord(
            evaluation_id=result.evaluation_id,
            checksum=text_checksum(suggestion.text),
            priority=suggestion.priority,
        )
        for suggestion in result.suggestions
    )


def save_evaluations(
    session: Session, items: Sequence[tuple[EvaluationPublic, str]], *, variant: str
) -> None:
    """Add a batch of (result, text checksum) pairs; the caller commits them as one transaction."""
    for result, text_sha256 in items:
        save_evaluation(session, result=result, text_sha256=text_sha256, variant=variant)
