"""The answer of POST /api/v1/mining/extract: candidates, optionally judged, and their table.

Judging reuses validate/batch (core.validation): the same criteria, engine, parallelism,
batch slot and checksum-only storage, so a mined candidate scores exactly as the same text
sent to validate/batch would. Up to MAX_BATCH_ITEMS candidates can be judged per request.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlmodel import Session

from core.contract.evaluations import BatchValidateCreate, ValidatedRequirement
from core.contract.mining import MinedCandidate, MinedEvaluation, MiningCreate, MiningPublic
from core.exceptions import InvalidRequest
from core.markdown import render_table
from core.mining._extract import Candidate, mine
from core.settings import Settings
from core.validation import validate_batch

TABLE_HEADER = ("id", "requirementText", "context")


def extract(
    *, session: Session, settings: Settings, request: MiningCreate, variant: str
) -> MiningPublic:
    """Mine the document; judge each candidate when asked to."""
    found = mine(request.text, source=request.source, language=request.language)
    judged: list[ValidatedRequirement | None] = [None] * len(found)
    if request.evaluate and found:
        if len(found) > settings.max_batch_items:
            raise InvalidRequest(
                f"too many candidates to evaluate: {len(found)} > {settings.max_batch_items}",
                {"maxItems": settings.max_batch_items, "count": len(found)},
            )
        batch = BatchValidateCreate(items=[c.text for c in found])
        judged = list(
            validate_batch(session=session, settings=settings, request=batch, variant=variant)
        )
    items = [_public(c, v) for c, v in zip(found, judged, strict=True)]
    return MiningPublic(items=items, markdown=requirements_table(found))


def requirements_table(found: Sequence[Candidate]) -> str:
    """The candidates as the table core.markdown reads (batch routes): where each came
    from and what was found goes into the JSON context."""
    rows = [
        (
            c.id,
            c.text,
            json.dumps(
                {
                    "language": c.language,
                    "source": c.source,
                    "line": c.line,
                    "kind": c.kind,
                    "modal": c.modal,
                },
                ensure_ascii=False,
            ),
        )
        for c in found
    ]
    return render_table(TABLE_HEADER, rows)


def _public(candidate: Candidate, judged: ValidatedRequirement | None) -> MinedCandidate:
    evaluation = None
    if judged is not None:
        evaluation = MinedEvaluation(
            status=judged.status,
            score=judged.score,
            verdict=judged.verdict,
            corrected_text=judged.corrected_text,
            evaluation=judged.evaluation,
        )
    return MinedCandidate(
        id=candidate.id,
        text=candidate.text,
        source=candidate.source,
        line=candidate.line,
        kind=candidate.kind,
        language=candidate.language,
        modal=candidate.modal,
        evaluation=evaluation,
    )
