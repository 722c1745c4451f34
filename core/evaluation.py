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
from core.catalogue import CriterionInfo, resolve_criteria
from core.checksums import text_checksum
from core.contract.evaluations import (
    CriterionDetail,
    EvaluationCreate,
    EvaluationPublic,
    FindingPublic,
    SuggestionPublic,
    glossary_of,
)
from core.engines.base import Assessment, CriterionResult, Language
from core.glossary import Glossary
from core.idempotency import request_row_ids
from core.scoring import (
    capped_criterion_score,
    capped_overall_score,
    clamp_score,
    criterion_passed,
    verdict_for,
    weighted_score,
)
from core.settings import Settings
from core.store.criteria import list_criteria
from core.store.models import new_id
from core.store.records import save_evaluation, write_coming


def active_criteria(session: Session, requested: Sequence[str] | None) -> list[CriterionInfo]:
    """The criteria a request asks for (all active ones by default), from the snapshot of
    the session's database (core.store.criteria).

    The session itself starts no transaction here: the engine call that follows may be
    slow, and an open one would pin an old WAL snapshot (SQLite) or a connection's state
    (PostgreSQL).
    """
    # .engine: a session may be bound to a Connection
    return resolve_criteria(list_criteria(session.get_bind().engine), requested)


@dataclass(frozen=True, slots=True)
class Judgement:
    """An engine's assessment turned into the public result, plus the engine's rewrite and
    the placeholders the text holds."""

    result: EvaluationPublic
    rewrite: str | None
    placeholders: tuple[str, ...] = ()


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
    return judgement_of(assessment, criteria, settings, started)


def judgement_of(
    assessment: Assessment, criteria: Sequence[CriterionInfo], settings: Settings, started: float
) -> Judgement:
    """Score an engine's assessment (DESIGN §6 rules) into the public result."""
    weights = {c.key: c.weight for c in criteria}
    details = [_detail(r, settings.criterion_pass_threshold) for r in assessment.results]
    mean = weighted_score((d.score, weights.get(d.criterion, 1.0)) for d in details)
    blocker = assessment.unfinished or any(
        f.severity == "blocker" for r in assessment.results for f in r.findings
    )
    score = capped_overall_score(
        mean, blocker=blocker, verdict_threshold=settings.verdict_threshold
    )
    passed = not assessment.unfinished and all(d.passed for d in details)
    result = EvaluationPublic(
        evaluation_id=new_id(),
        verdict=verdict_for(score, settings.verdict_threshold, all_passed=passed),
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
    return Judgement(result, assessment.rewrite, assessment.placeholders)


def _detail(result: CriterionResult, threshold: float) -> CriterionDetail:
    """One criterion's public result: the engine's score, capped by the findings that fail
    it (DESIGN §6: one blocker or major finding fails its criterion, for every engine)."""
    failing = [f.severity for f in result.findings if result.criterion in f.fails]
    score = capped_criterion_score(clamp_score(result.score), failing, threshold)
    return CriterionDetail(
        criterion=result.criterion,
        score=score,
        passed=criterion_passed(score, threshold, failed_by_finding=bool(failing)),
        feedback=result.feedback,
        findings=[
            FindingPublic(
                code=f.code,
                message=f.message,
                start=f.start,
                end=f.end,
                fragment=f.fragment,
                severity=f.severity,
            )
            for f in result.findings
        ],
    )


def evaluate(
    *, session: Session, settings: Settings, request: EvaluationCreate, variant: str
) -> EvaluationPublic:
    """Evaluate one requirement and store its checksum-only record."""
    with write_coming(session):  # the writer's next group waits for this request's rows
        return _evaluate(session=session, settings=settings, request=request, variant=variant)


def _evaluate(
    *, session: Session, settings: Settings, request: EvaluationCreate, variant: str
) -> EvaluationPublic:
    criteria = active_criteria(session, request.criteria_keys)
    language = request.context.language if request.context else None
    result = judge(
        request.requirement_text,
        criteria=criteria,
        language=language,
        settings=settings,
        glossary=glossary_of(request.context),
    ).result
    checksum = text_checksum(request.requirement_text)
    options = request.model_dump_json(exclude={"requirement_text"})
    evaluation_id = request_row_ids("evaluations", options).item_id(0, checksum)
    if evaluation_id is not None:  # a retry of this request answers with the stored row
        result = result.model_copy(update={"evaluation_id": evaluation_id})
    save_evaluation(session, result=result, text_sha256=checksum, variant=variant)
    return result
