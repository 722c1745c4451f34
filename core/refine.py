"""Auto-refine: suggest -> apply(merge) -> re-evaluate, until the verdict passes.

Each round's score is returned so the improvement is visible; the loop also stops when a
round changes nothing (the engine has no mechanical fix left), since repeating it could
not change the outcome.
"""

from __future__ import annotations

from sqlmodel import Session

from core import engines
from core.batch_schemas import RefineCreate, RefineIteration, RefinePublic
from core.checksums import text_checksum
from core.evaluation import active_criteria
from core.settings import Settings
from core.store.models import RewriteRecord
from core.store.records import save_evaluation
from core.suggestions import Suggested, suggest


def _next_text(text: str, suggested: Suggested, settings: Settings) -> tuple[str, int]:
    """The merged text of a round and how many atoms went into it (advice atoms, which
    change nothing, are left out)."""
    usable = [atom for atom in suggested.atoms if atom.original_fragment.strip()]
    if not usable:
        return text, 0
    merged = engines.apply(
        text,
        usable,
        "merge",
        language=suggested.judgement.result.language,
        settings=settings,
    )
    return merged.items[0], len(usable)


def refine(
    *, session: Session, settings: Settings, request: RefineCreate, variant: str
) -> RefinePublic:
    """Refine one requirement for at most `maxIterations` rounds; iteration 0 is the original."""
    criteria = active_criteria(session, request.criteria_keys)
    language = request.context.language if request.context else None
    text, applied, previous = request.requirement_text, 0, None
    iterations: list[RefineIteration] = []
    while True:
        suggested = suggest(text, criteria=criteria, language=language, settings=settings)
        result = suggested.judgement.result
        save_evaluation(session, result=result, text_sha256=text_checksum(text), variant=variant)
        if previous is not None:
            session.add(
                RewriteRecord(
                    evaluation_id=result.evaluation_id,
                    source="apply",
                    original_checksum=text_checksum(previous),
                    rewritten_checksum=text_checksum(text),
                )
            )
        iterations.append(
            RefineIteration(
                iteration=len(iterations),
                text=text,
                evaluation_id=result.evaluation_id,
                score=result.score,
                verdict=result.verdict,
                applied=applied,
            )
        )
        if result.verdict == "pass":
            stop = "passed"
            break
        if len(iterations) > request.max_iterations:
            stop = "max_iterations"
            break
        new_text, applied = _next_text(text, suggested, settings)
        if new_text.strip() == text.strip():
            stop = "no_change"
            break
        previous, text = text, new_text
    session.commit()
    last = iterations[-1]
    return RefinePublic(
        final_text=last.text,
        score=last.score,
        verdict=last.verdict,
        stop_reason=stop,
        iterations=iterations,
    )
