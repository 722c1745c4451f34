"""Evaluate requirements: the one place where an engine's judgement becomes an API result.

Flow: resolve the criteria, let the engine judge the text (outside any transaction, so a
slow engine never holds the database), score, build the public result, store its
checksum-only record.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session

from core import engines
from core.checksums import text_checksum
from core.criteria import CriterionInfo, list_criteria, resolve_criteria
from core.engines.base import Assessment, Language
from core.glossary import Glossary
from core.parallel import run_ordered
from core.schemas import (
    BatchValidateCreate,
    CriterionDetail,
    CriterionVerdict,
    EvaluationCreate,
    EvaluationPublic,
    FindingPublic,
    SuggestionPublic,
    ValidatedRequirement,
    glossary_of,
)
from core.scoring import clamp_score, criterion_passed, verdict_for, weighted_score
from core.settings import Settings
from core.store.models import new_id
from core.store.records import save_evaluation, save_evaluations


def active_criteria(session: Session, requested: Sequence[str] | None) -> list[CriterionInfo]:
    """The criteria a request asks for (all active ones by default), read in a short
    transaction."""
    criteria = resolve_criteria(list_criteria(session), requested)
    # End the read transaction now: SQLite transactions take the write lock (BEGIN
    # IMMEDIATE), and the engine call that follows may be slow.
    session.commit()
    return criteria


@dataclass(frozen=True, slots=True)
class Judgement:
    """An engine's assessment turned into the public result, plus the engine's rewrite."""

    result: EvaluationPublic
    rewrite: str | None


def judge(
    text: str,
    *,
    criteria: Sequence[CriterionInfo],
    language: Language | None,
    settings: Settings,
    glossary: Glossary | None = None,
) -> Judgement:
    """Assess one text with the configured engine and score it; touches no database."""
    started = time.perf_counter()
    assessment = engines.assess(
        text,
        criteria=[c.key for c in criteria],
        language=language,
        settings=settings,
        glossary=glossary,
    )
    return _judgement(assessment, criteria, settings, started)


async def judge_async(
    text: str,
    *,
    criteria: Sequence[CriterionInfo],
    language: Language | None,
    settings: Settings,
    glossary: Glossary | None = None,
) -> Judgement:
    """judge for coroutines (the engine call is awaited); same result as judge."""
    started = time.perf_counter()
    assessment = await engines.assess_async(
        text,
        criteria=[c.key for c in criteria],
        language=language,
        settings=settings,
        glossary=glossary,
    )
    return _judgement(assessment, criteria, settings, started)


def _judgement(
    assessment: Assessment, criteria: Sequence[CriterionInfo], settings: Settings, started: float
) -> Judgement:
    weights = {c.key: c.weight for c in criteria}
    details = [
        CriterionDetail(
            criterion=r.criterion,
            score=clamp_score(r.score),
            passed=criterion_passed(clamp_score(r.score), settings.criterion_pass_threshold),
            feedback=r.feedback,
            findings=[
                FindingPublic(
                    code=f.code, message=f.message, start=f.start, end=f.end, fragment=f.fragment
                )
                for f in r.findings
            ],
        )
        for r in assessment.results
    ]
    score = weighted_score((d.score, weights.get(d.criterion, 1.0)) for d in details)
    result = EvaluationPublic(
        evaluation_id=new_id(),
        verdict=verdict_for(score, settings.verdict_threshold),
        score=score,
        latency_ms=round((time.perf_counter() - started) * 1000),
        model=assessment.model,
        engine=assessment.engine,
        language=assessment.language,
        fallback_reason=assessment.fallback_reason,
        prompt_version=assessment.extras.get("promptVersion"),
        details=details,
        suggestions=[
            SuggestionPublic(text=s.text, priority=s.priority) for s in assessment.suggestions
        ],
    )
    return Judgement(result, assessment.rewrite)


def evaluate(
    *, session: Session, settings: Settings, request: EvaluationCreate, variant: str
) -> EvaluationPublic:
    """Evaluate one requirement and store its checksum-only record."""
    criteria = active_criteria(session, request.criteria_keys)
    language = request.context.language if request.context else None
    result = judge(
        request.requirement_text,
        criteria=criteria,
        language=language,
        settings=settings,
        glossary=glossary_of(request.context),
    ).result
    save_evaluation(
        session, result=result, text_sha256=text_checksum(request.requirement_text), variant=variant
    )
    session.commit()
    return result


def validate_batch(
    *, session: Session, settings: Settings, request: BatchValidateCreate, variant: str
) -> list[ValidatedRequirement]:
    """Evaluate a list of texts against all active criteria; one transaction stores them all."""
    criteria = active_criteria(session, None)
    outcomes = list(
        run_ordered(
            lambda text: judge(text, criteria=criteria, language=None, settings=settings),
            request.items,
            max_parallel=settings.max_parallel,
            batch_size=settings.batch_size,
        )
    )
    failure = next((outcome.error for outcome in outcomes if outcome.error is not None), None)
    if failure is not None:
        raise failure
    judgements = [outcome.result for outcome in outcomes if outcome.result is not None]
    save_evaluations(
        session,
        [(j.result, text_checksum(t)) for j, t in zip(judgements, request.items, strict=True)],
        variant=variant,
    )
    session.commit()
    return [
        to_validated(index, text, judgement, request.include_suggestions)
        for index, (text, judgement) in enumerate(zip(request.items, judgements, strict=True))
    ]


def to_validated(
    index: int, text: str, judgement: Judgement, with_suggestions: bool
) -> ValidatedRequirement:
    """The validate/batch item for the index-th text (ids REQ_1, REQ_2...)."""
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
        suggestions=result.suggestions if with_suggestions else None,
    )
