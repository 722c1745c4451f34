"""v2's shared routes: one call per request to v2's own worker threads, the bytes their
response model gives, and the request's context (attempt, dry run) inside that call."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import Any

import anyio.to_thread
import httpx
import pytest
from fastapi import FastAPI
from pydantic import TypeAdapter
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

import app_v2.main
from app_v2 import work_threads
from core import attempts
from core.contract.batch import (
    ApplyPublic,
    CorrectionSavedPublic,
    DemoRequirementsPublic,
    SuggestPublic,
)
from core.contract.decisions import DecisionSavedPublic, DecisionsSavedPublic
from core.contract.evaluations import (
    CriteriaPublic,
    EvaluationPublic,
    ValidatedRequirement,
)
from core.dry_run import dry_run
from core.store.models import Evaluation
from tests.conftest import SettingsFactory
from tests.contract.batch_cases import ATOM, SMALL_TABLE
from tests.contract.cases import ACCEPTED, REJECTED

TEXT = "The system should be fast and user-friendly."
# Every shared route answered in one piece (the batch routes stream theirs), each a 200,
# with the response model it declares.
ROUTES: list[tuple[str, str, Any, Any]] = [
    ("GET", "/api/v1/criteria?language=de", None, CriteriaPublic),
    ("GET", "/api/v1/demo/requirements", None, DemoRequirementsPublic),
    (
        "POST",
        "/api/v1/evaluations",
        {"requirementText": TEXT, "context": {"language": "en"}},
        EvaluationPublic,
    ),
    (
        "POST",
        "/api/v1/validate/batch",
        [TEXT, "Das System sollte schnell sein."],
        list[ValidatedRequirement],
    ),
    ("POST", "/api/v1/validate/suggest", [TEXT], SuggestPublic),
    (
        "POST",
        "/api/v1/corrections/apply",
        {"originalText": TEXT, "selectedSuggestions": [ATOM]},
        ApplyPublic,
    ),
    (
        "POST",
        "/api/v1/corrections/text",
        {"originalText": TEXT, "text": "The system shall run."},
        CorrectionSavedPublic,
    ),
    ("POST", "/api/v1/corrections/decision", ACCEPTED, DecisionSavedPublic),
    (
        "POST",
        "/api/v1/corrections/decision/batch",
        {"items": [ACCEPTED, REJECTED]},
        DecisionsSavedPublic,
    ),
]
IDS = [route[1] for route in ROUTES]


def _request(app: FastAPI, method: str, path: str, body: Any) -> httpx.Response:
    """One request on this thread's event loop: no test client's threads in the count."""

    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://v2") as client:
            return await client.request(method, path, json=body)

    return asyncio.run(send())


@pytest.fixture
def app(make_settings: SettingsFactory, db_engine: Engine) -> FastAPI:
    """v2 on SQLite and on PostgreSQL."""
    url = db_engine.url.render_as_string(hide_password=False)
    return app_v2.main.create_app(make_settings(database_url=url))


@pytest.fixture
def thread_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The callables handed to worker threads: v2's own (app_v2.work_threads), as `v2:`,
    and anyio's (FastAPI's and Starlette's hand-offs), as `anyio:`."""
    calls: list[str] = []
    run_sync: Callable[..., Any] = anyio.to_thread.run_sync
    run: Callable[..., Any] = work_threads.WorkThreads.run

    async def counted(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        calls.append("anyio:" + getattr(func, "func", func).__qualname__)  # a partial or not
        return await run_sync(func, *args, **kwargs)

    async def counted_own(self: work_threads.WorkThreads, func: Callable[[], Any]) -> Any:
        calls.append("v2:" + func.__qualname__)
        return await run(self, func)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
    monkeypatch.setattr(work_threads.WorkThreads, "run", counted_own)
    return calls


def _evaluations(app: FastAPI) -> int:
    with Session(app.state.db) as session:
        return int(session.scalar(select(func.count()).select_from(Evaluation)) or 0)


@pytest.mark.parametrize(("method", "path", "body", "model"), ROUTES, ids=IDS)
def test_shared_route_makes_one_thread_call(
    app: FastAPI, thread_calls: list[str], method: str, path: str, body: Any, model: Any
) -> None:
    _request(app, method, path, body)  # warm: the criteria snapshot is read once
    thread_calls.clear()
    response = _request(app, method, path, body)
    assert response.status_code == 200, response.text
    assert len(thread_calls) == 1 and thread_calls[0].startswith("v2:"), thread_calls


@pytest.mark.parametrize(("method", "path", "body", "model"), ROUTES, ids=IDS)
def test_shared_route_sends_its_response_models_json(
    app: FastAPI, method: str, path: str, body: Any, model: Any
) -> None:
    response = _request(app, method, path, body)
    adapter = TypeAdapter(model)
    # what FastAPI itself sent for the model: same keys, order, floats; no None fields
    expected = adapter.dump_json(
        adapter.validate_json(response.content), by_alias=True, exclude_none=True
    )
    assert response.content == expected
    assert response.headers["content-type"] == "application/json"


def test_batch_route_opens_its_session_in_the_work_thread(
    app: FastAPI, thread_calls: list[str]
) -> None:
    response = _request(app, "POST", "/api/v1/batch/evaluate", {"markdown": SMALL_TABLE})
    assert response.status_code == 200 and response.json()["items"]
    # the work, then the body's one piece and the end of its iterator (StreamingResponse)
    assert thread_calls == ["v2:in_session.<locals>.run", "anyio:_next", "anyio:_next"]


def test_cancelled_attempt_stops_the_work_thread_and_stores_nothing(app: FastAPI) -> None:
    with attempts.attempt() as cancelled:
        cancelled.set()  # the gateway gave up on it (core.attempts)
        response = _request(app, "POST", "/api/v1/validate/batch", [TEXT])
    assert response.status_code == 500
    assert _evaluations(app) == 0


def test_dry_run_mark_reaches_the_work_thread(app: FastAPI) -> None:
    with dry_run():
        body = _request(app, "POST", "/api/v1/evaluations", {"requirementText": TEXT}).json()
    assert re.fullmatch(r"[0-9a-f-]{36}", body["evaluationId"])
    assert _evaluations(app) == 0  # written, then rolled back (core.store.db.writing)
    _request(app, "POST", "/api/v1/evaluations", {"requirementText": TEXT})
    assert _evaluations(app) == 1
