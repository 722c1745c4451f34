"""POST /api/v1/validate/batch/stream: validation results as they complete, NDJSON or SSE.

Lines (DESIGN §6): `{event: "item", index, ...validate/batch item}` in input order,
`{event: "error", index, error, message}` for an item that failed, then optionally
`{event: "duplicates", pairs}`, and last `{event: "end", processed, failed, durationMs}`
(processed counts every item handled, failed ones included). The generator owns its
database session, so it outlives the request handler that returned it; closing it (the
client went away) cancels the items not yet started.
"""

from __future__ import annotations

import time
from collections.abc import Generator
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.batch import item_error, saved, saver
from core.contract.evaluations import BatchValidateCreate
from core.contract.framing import encode_events
from core.contract.wire import to_wire
from core.evaluation import active_criteria
from core.settings import Settings
from core.similarity import near_duplicates
from core.validation import to_validated, validate_all


def stream_events(
    *, engine: Engine, settings: Settings, request: BatchValidateCreate, variant: str
) -> Generator[dict[str, Any]]:
    """The events of one stream; items are judged in parallel and stored in chunks."""
    started = time.perf_counter()
    failed = processed = 0

    with Session(engine, expire_on_commit=False) as session:
        criteria = active_criteria(session, None)
        outcomes = validate_all(
            request, criteria=criteria, settings=settings, route="validate/batch/stream"
        )
        for outcome in saved(
            session, outcomes, batch_size=settings.batch_size, save=saver(variant)
        ):
            processed += 1
            if outcome.result is None:
                failed += 1
                error = item_error(outcome.index, outcome.error or RuntimeError())
                yield {"event": "error", "index": outcome.index, **to_wire(error)}
                continue
            item = to_validated(outcome.index, outcome.item.text, outcome.result)
            yield {"event": "item", "index": outcome.index, **to_wire(item)}
    pairs = near_duplicates(
        {f"REQ_{i + 1}": t for i, t in enumerate(request.items)},
        threshold=settings.near_duplicate_threshold,
    )
    if pairs:
        yield {"event": "duplicates", "pairs": [to_wire(pair) for pair in pairs]}
    yield {
        "event": "end",
        "processed": processed,
        "failed": failed,
        "durationMs": round((time.perf_counter() - started) * 1000),
    }


def stream_body(
    *, engine: Engine, settings: Settings, request: BatchValidateCreate, variant: str, sse: bool
) -> Generator[bytes]:
    """The encoded response body; close() it to stop the remaining work."""
    events = stream_events(engine=engine, settings=settings, request=request, variant=variant)
    return encode_events(events, sse=sse)
