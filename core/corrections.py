"""Applying selected suggestion atoms to a requirement, and recording manual corrections.

merge: every atom's `original_fragment` is replaced by its `correction` (an atom whose
fragment is the whole text is a full rewrite; one with no fragment is advice and changes
nothing). split: the merged text is cut at the fragments of atoms about atomicity (the
joining "and"/"und"), each part repeating the subject and modal verb of the first.
Only checksums of the texts are stored (DESIGN §5).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlmodel import Session

from core.batch_schemas import (
    ApplyCreate,
    ApplyPublic,
    CorrectionSavedPublic,
    CorrectionTextCreate,
    RewrittenItem,
    SuggestionAtom,
)
from core.checksums import text_checksum
from core.exceptions import NotFound
from core.store.models import Evaluation, RewriteRecord, new_id

SPLIT_CRITERION = "atomicity"
_LEAD = re.compile(
    r"^(.*?\b(?:shall|must|will|should|muss|müssen|soll|sollen|wird|werden|sollte)\b)\s", re.I
)


def _merge(text: str, atoms: Sequence[SuggestionAtom]) -> str:
    for atom in atoms:
        fragment = atom.original_fragment.strip()
        if fragment and fragment == text.strip():
            text = atom.correction
        elif fragment and fragment in text and SPLIT_CRITERION not in atom.criteria:
            # Whole words only, so replacing "may" leaves "mayor" alone.
            pattern = re.compile(rf"(?<!\w){re.escape(fragment)}(?!\w)")
            text = pattern.sub(lambda _m, c=atom.correction: c, text, count=1)
    return text


def _sentence(part: str) -> str:
    part = part.strip().rstrip(".,;")
    return f"{part[:1].upper()}{part[1:]}." if part else ""


def _split(text: str, atoms: Sequence[SuggestionAtom]) -> list[str]:
    joints = sorted(
        {
            a.original_fragment.strip()
            for a in atoms
            if SPLIT_CRITERION in a.criteria and a.original_fragment.strip()
        },
        key=len,
        reverse=True,
    )
    if not joints:
        return [text]
    pattern = re.compile(r"\s*,?\s+(?:" + "|".join(re.escape(j) for j in joints) + r")\s+")
    parts = [part for part in pattern.split(text) if part.strip()]
    if len(parts) < 2:
        return [text]
    lead = _LEAD.match(parts[0])
    prefix = lead.group(1) if lead else ""
    out = [_sentence(parts[0])]
    out += [
        _sentence(p if _LEAD.match(p) or not prefix else f"{prefix} {p.strip()}") for p in parts[1:]
    ]
    return [sentence for sentence in out if sentence]


def apply_atoms(text: str, atoms: Sequence[SuggestionAtom], *, mode: str) -> list[str]:
    """The redefined requirement(s): one for merge, one or more for split."""
    merged = _merge(text, atoms)
    return [merged] if mode == "merge" else _split(merged, atoms)


def _linked_evaluation(session: Session, evaluation_id: str | None) -> str | None:
    if evaluation_id is not None and session.get(Evaluation, evaluation_id) is None:
        raise NotFound("evaluation not found", {"evaluationId": evaluation_id})
    return evaluation_id


def apply_corrections(*, session: Session, request: ApplyCreate) -> ApplyPublic:
    """Apply the selected atoms and record checksums of the original and each result.

    `evaluationId` echoes the evaluation the request links to, else names this correction.
    """
    linked = _linked_evaluation(session, request.evaluation_id)
    texts = apply_atoms(request.original_text, request.selected_suggestions, mode=request.mode)
    original = text_checksum(request.original_text)
    records = [
        RewriteRecord(
            evaluation_id=linked,
            original_checksum=original,
            rewritten_checksum=text_checksum(t),
            source="apply",
        )
        for t in texts
    ]
    session.add_all(records)
    session.commit()
    return ApplyPublic(
        evaluation_id=linked or new_id(),
        items=[
            RewrittenItem(rewritten_id=r.id, redefined_requirement=t)
            for r, t in zip(records, texts, strict=True)
        ],
    )


def save_manual_correction(
    *, session: Session, request: CorrectionTextCreate
) -> CorrectionSavedPublic:
    """Record that a person corrected a requirement by hand (checksums of both texts only)."""
    linked = _linked_evaluation(session, request.evaluation_id)
    session.add(
        RewriteRecord(
            evaluation_id=linked,
            original_checksum=text_checksum(request.original_text),
            rewritten_checksum=text_checksum(request.text),
            source="manual",
        )
    )
    session.commit()
    return CorrectionSavedPublic(evaluation_id=linked or new_id())
