"""The answer of POST /api/v1/mining/conflicts: the near-duplicate and conflicting pairs of
a list of requirements, or of the requirements mined from an ingested source.

A source is reassembled from its knowledge-base chunks (core.vectors) and mined as
POST /api/v1/mining/extract mines a document of that name, so the answer's requirement ids
are the ones extract gives. The answer names requirements by index and id only: their text
is the client's list or the stored source, never repeated, logged or stored here.
"""

from __future__ import annotations

from core.contract.bodies import check_mining_chars
from core.contract.mining import ConflictPair, ConflictsCreate, ConflictsPublic, MinedReference
from core.engines.base import Language
from core.exceptions import InvalidRequest, NotFound
from core.limits import batch_slot
from core.mining._conflicts import find_pairs
from core.mining._extract import Candidate, mine
from core.settings import Settings
from core.vectors import VectorStore, reassemble


def conflicts(
    *, request: ConflictsCreate, settings: Settings, store: VectorStore
) -> ConflictsPublic:
    """Compare the request's items, or the requirements of its source."""
    references = None
    if request.source is not None:
        found = _mined(request.source, request.language, settings, store)
        texts = [c.text for c in found]
        references = [MinedReference(id=c.id, line=c.line) for c in found]
    else:
        texts = request.items or []
    with batch_slot(settings):  # 1,000 long requirements take seconds of CPU
        pairs = find_pairs(
            texts,
            language=request.language,
            duplicate_threshold=settings.near_duplicate_threshold,
            conflict_threshold=settings.conflict_min_similarity,
        )
    return ConflictsPublic(
        count=len(texts),
        pairs=[
            ConflictPair(a=p.a, b=p.b, kind=p.kind, reason=p.reason, similarity=p.similarity)
            for p in pairs
        ],
        source=request.source,
        requirements=references,
    )


def _mined(
    source: str, language: Language | None, settings: Settings, store: VectorStore
) -> list[Candidate]:
    """The source's requirements: 404 when nothing of it is ingested, 400 past the limits."""
    payloads = store.source_chunks(source)
    if not payloads:
        raise NotFound(f"no chunks of source {source!r}")
    text = reassemble(payloads)
    check_mining_chars(len(text), settings, field="source")
    found = mine(text, source=source, language=language)
    if len(found) > settings.max_batch_items:
        raise InvalidRequest(
            f"too many requirements in the source: {len(found)} > {settings.max_batch_items}",
            {"maxItems": settings.max_batch_items, "count": len(found)},
        )
    return found
