"""Auto-refine: suggest -> apply(merge) -> re-evaluate, until the text passes.

Each round applies the atoms that need no input (a binding modal, a loophole deleted, a
split) and returns its score, so the improvement is visible. The loop stops as soon as only
a person can go on, with the reason and the open questions: atoms that need input (a bound,
a unit, an actor) are offered, never applied on the person's behalf, and placeholders are
never filled in. It also stops when a round changes nothing.
"""

from __future__ import annotations

from sqlmodel import Session

from core import engines
from core.checksums import text_checksum
from core.contract.batch import RefineCreate, RefineIteration, RefinePublic, RefineStop
from core.contract.evaluations import glossary_of
from core.evaluation import active_criteria
from core.settings import Settings
from core.store.models import RewriteRecord
from core.store.records import RecordRows, rewrite_row, store
from core.suggestions import Suggested, suggest


def _next_text(text: str, suggested: Suggested, settings: Settings) -> tuple[str, int]:
    """The merged text of a round and how many atoms went into it: only atoms that need no
    input, and no advice (an atom without a fragment changes nothing)."""
    usable = [a for a in suggested.atoms if a.original_fragment.strip() and not a.needs_input]
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


def _questions(suggested: Suggested) -> list[str]:
    """What a person must answer before the text can improve further."""
    return [a.question for a in suggested.atoms if a.needs_input and a.question]


def _round(
    rows: RecordRows, suggested: Suggested, text: str, previous: str | None, variant: str
) -> None:
    """Add the round's evaluation, and the rewrite that led to it (checksums only)."""
    result = suggested.judgement.result
    rows.add(result, text_sha256=text_checksum(text), variant=variant)
    if previous is not None:
        checksums = text_checksum(previous), text_checksum(text)
        rows.extend(RewriteRecord, [rewrite_row(result.evaluation_id, *checksums, "apply")])


def refine(
    *, session: Session, settings: Settings, request: RefineCreate, variant: str
) -> RefinePublic:
    """Refine one requirement for at most `maxIterations` rounds; iteration 0 is the original.

    A round passes only when the evaluation passes and no placeholder is left: the engines
    mark what they cannot fix with bracketed gaps, and a text with gaps is not finished,
    whatever the score (stop reason `placeholders` when only they are left).
    """
    criteria = active_criteria(session, request.criteria_keys)
    language = request.context.language if request.context else None
    glossary = glossary_of(request.context)
    text, applied, previous = request.requirement_text, 0, None
    iterations: list[RefineIteration] = []
    rounds: list[tuple[Suggested, str, str | None]] = []  # stored at the end, in one write
    while True:
        suggested = suggest(
            text, criteria=criteria, language=language, settings=settings, glossary=glossary
        )
        rounds.append((suggested, text, previous))
        result = suggested.judgement.result
        gaps = len(suggested.judgement.placeholders)
        iterations.append(
            RefineIteration(
                iteration=len(iterations),
                text=text,
                evaluation_id=result.evaluation_id,
                score=result.score,
                verdict=result.verdict,
                applied=applied,
                placeholders=gaps,
            )
        )
        if result.verdict == "pass" and not gaps:
            stop: RefineStop = "passed"
            break
        new_text, applied = (
            _next_text(text, suggested, settings)
            if len(iterations) <= request.max_iterations
            else (text, 0)
        )
        if new_text.strip() == text.strip():
            stop = _stop_reason(iterations[-1], request.max_iterations, _questions(suggested))
            break
        previous, text = text, new_text
    records = RecordRows()
    for round_ in rounds:
        _round(records, *round_, variant)
    store(session, records)
    last = iterations[-1]
    return RefinePublic(
        final_text=last.text,
        score=last.score,
        verdict="fail" if last.placeholders else last.verdict,
        stop_reason=stop,
        iterations=iterations,
        questions=_questions(suggested) if stop != "passed" else [],
    )


def _stop_reason(last: RefineIteration, max_iterations: int, questions: list[str]) -> RefineStop:
    if last.iteration >= max_iterations:
        return "max_iterations"
    if questions or last.placeholders:
        # Only a person can go on: answer the questions, fill in the placeholders.
        return "needs_input" if questions or last.verdict == "fail" else "placeholders"
    return "no_change"
