"""The answer of POST /api/v1/mining/extract: candidates, optionally judged, and their table.

The documents are the JSON body's text, or the uploaded files, read exactly as
POST /api/v1/files/ingest reads them (core.vectors.read_files).

Judging reuses validate/batch (core.validation): the same criteria, engine, parallelism,
batch slot and checksum-only storage, so a mined candidate scores exactly as the same text
sent to validate/batch would. Up to MAX_BATCH_ITEMS candidates can be judged per request.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session

from core.contract.bodies import check_mining_chars
from core.contract.evaluations import BatchValidateCreate, ValidatedRequirement
from core.contract.mining import MinedCandidate, MinedEvaluation, MiningOptions, MiningPublic
from core.exceptions import InvalidRequest
from core.markdown import render_table
from core.mining._extract import Candidate, mine
from core.settings import Settings
from core.validation import validate_batch
from core.vectors import Upload, read_files

TABLE_HEADER = ("id", "requirementText", "context")


@dataclass(frozen=True, slots=True)
class Document:
    """A text to mine and the name its candidates carry as `source`."""

    source: str
    text: str


def read_documents(uploads: list[Upload], settings: Settings) -> list[Document]:
    """The uploaded files as documents: checked and read as ingest reads them (the same
    types, 400/415), named by their file names, a PDF's pages separated by a blank line;
    all their text together bounded by MAX_MINING_CHARS."""
    files = read_files(uploads)
    names = [file.name for file in files]
    if len(set(names)) < len(names):
        raise InvalidRequest("every file needs a name of its own: the names are the sources")
    documents = [
        Document(file.name, "\n\n".join(block.text for block in file.blocks)) for file in files
    ]
    check_mining_chars(sum(len(d.text) for d in documents), settings, field="files")
    return documents


def extract(
    *,
    session: Session,
    settings: Settings,
    documents: Sequence[Document],
    options: MiningOptions,
    variant: str,
) -> MiningPublic:
    """Mine the documents, in order; judge each candidate when asked to."""
    found = [
        candidate
        for document in documents
        for candidate in mine(document.text, source=document.source, language=options.language)
    ]
    judged: list[ValidatedRequirement | None] = [None] * len(found)
    if options.evaluate and found:
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
