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

from core.contract.batch import EngineUsed
from core.contract.bodies import check_mining_chars
from core.contract.evaluations import BatchValidateCreate, ValidatedRequirement
from core.contract.mining import MinedCandidate, MinedEvaluation, MiningOptions, MiningPublic
from core.engines.fallbacks import heuristic_meta
from core.exceptions import InvalidRequest
from core.markdown import render_table
from core.mining._extract import Candidate, mine
from core.mining._llm import Searched, llm_pass
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
    """Mine the documents, in order, with the LLM pass when asked to; judge each candidate
    when asked to."""
    searched = [
        Searched(d.source, d.text, mine(d.text, source=d.source, language=options.language))
        for d in documents
    ]
    found = [candidate for document in searched for candidate in document.found]
    meta = heuristic_meta()
    if options.llm:
        added, result = llm_pass(searched, settings, language=options.language)
        meta = result.meta
        found = _in_order(found + added, [d.source for d in documents])
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
    return MiningPublic(
        items=items, markdown=requirements_table(found), **EngineUsed.fields_of(meta)
    )


def _in_order(found: list[Candidate], sources: list[str]) -> list[Candidate]:
    """Document by document, line by line; on one line the rules' candidates first."""
    rank = {source: n for n, source in enumerate(sources)}
    return sorted(found, key=lambda c: (rank[c.source], c.line, c.origin != "rules"))


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
                    "origin": c.origin,
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
        origin=candidate.origin,
        evaluation=evaluation,
    )
