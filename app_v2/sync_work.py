"""The blocking part of a v2 request: one worker-thread call, answered as JSON bytes.

FastAPI hands every sync endpoint to a worker thread, then the check of its return value
against the response model to another, and each sync dependency to one more (a sync
generator to two: enter and exit). One hand-off costs ~640k instructions, more than the
engine's work on a short requirement, and an evaluation made five (issue 16). The shared
routes are therefore async, with async dependencies (app_v2.deps), and run their core work
through `answer`: one thread call that opens the session, does the work, closes the
session and encodes the result (core.contract.wire.wire_json). FastAPI sends the Response
as it is; the routes keep their `response_model` for the OpenAPI document.

The call goes to v2's own worker threads (app_v2.work_threads), not anyio's: a quarter of
the Python work of anyio's hand-off. It runs in a copy of the request's context, as
anyio's did: the request id, a dry run's mark (core.dry_run) and the gateway's
cancellation of the attempt (core.attempts) reach the core work as before.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from fastapi import Response
from pydantic import BaseModel
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app_v2.work_threads import run_in_worker
from core.contract.wire import wire_json

Result = BaseModel | Sequence[BaseModel]
T = TypeVar("T")


class JsonBytes(Response):
    """A JSON body encoded already."""

    media_type = "application/json"


async def in_session(work: Callable[[Session], T], *, db: Engine) -> T:
    """Run `work` with a new session in one worker thread, the session closed there too."""

    def run() -> T:
        with Session(db, expire_on_commit=False) as session:
            return work(session)

    return await run_in_worker(run)


async def answer(work: Callable[[Session], Result], *, db: Engine) -> JsonBytes:
    """`in_session`, its result encoded in the same thread, as the JSON body."""
    return JsonBytes(await in_session(lambda session: wire_json(work(session)), db=db))


async def answer_without_db(work: Callable[[], Result]) -> JsonBytes:
    """Run `work` (which needs no session) in one worker thread; its result as JSON."""
    return JsonBytes(await run_in_worker(lambda: wire_json(work())))
