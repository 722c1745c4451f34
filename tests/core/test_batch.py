"""Batch work over tables and lists: results, errors, sequential chunked writes, duplicates."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from core.batch import answer_table, saved, suggest_texts
from core.checksums import text_checksum
from core.contract.bodies import BatchInput, checked_table
from core.contract.evaluations import BatchValidateCreate
from core.parallel import Outcome
from core.runtime import open_store
from core.settings import Settings
from core.store.criteria import sync_criteria
from core.store.models import Evaluation, RewriteRecord
from tests.utils.engines import FakeEngine

SettingsFactory = Callable[..., Settings]


def _table(*texts: str) -> str:
    rows = "\n".join(f"| R{i + 1} | {text} |" for i, text in enumerate(texts))
    return f"| id | requirementText |\n|---|---|\n{rows}\n"


def _count(engine: Engine, model: Any) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


@pytest.mark.parametrize("mode", ["evaluate", "suggest", "rewrite"])
def test_run_table_items_errors_and_merged_columns(
    fake_engine: FakeEngine, settings: Settings, mode: str
) -> None:
    engine = open_store(settings)
    source = BatchInput(checked_table(_table("Good one.", "A bad one.", "Boom 💥."), settings))
    with Session(engine) as session:
        result = answer_table(
            session=session,
            settings=settings,
            source=source,
            mode=mode,  # type: ignore[arg-type]
            variant="v2",
        ).public()
    assert list(result.items) == ["R1", "R2"]
    assert result.errors["R3"].error == "internal_error"
    assert "💥" not in result.errors["R3"].message  # exception text never leaves the server
    assert result.items["R2"].evaluation.verdict == "fail"
    header = result.merged_markdown.splitlines()[0]
    assert header.endswith(
        {
            "evaluate": "| score | verdict |",
            "suggest": "| verdict | suggestions |",
            "rewrite": "| suggestions | redefinedRequirement |",
        }[mode]
    )
    assert "| R3 | Boom 💥. |  | error |" in result.merged_markdown
    assert (result.items["R2"].suggestions is None) == (mode == "evaluate")
    if mode == "rewrite":
        assert result.items["R2"].redefined_requirement == "A [measurable bound] one."
        assert _count(engine, RewriteRecord) == 2
    assert _count(engine, Evaluation) == 2


def test_run_table_stores_checksums_not_text(fake_engine: FakeEngine, settings: Settings) -> None:
    engine = open_store(settings)
    with Session(engine) as session:
        answer_table(
            session=session,
            settings=settings,
            mode="evaluate",
            variant="v1",
            source=BatchInput(checked_table(_table("Secret text."), settings)),
        ).public()
        row = session.exec(select(Evaluation)).one()
    assert row.checksum == text_checksum("Secret text.")
    assert "Secret" not in repr(row)


def test_run_table_uses_row_language(fake_engine: FakeEngine, settings: Settings) -> None:
    markdown = (
        "| id | requirementText | context |\n|---|---|---|\n"
        '| R1 | Text. | {"language": "de"} |\n| R2 | Text. | |\n'
    )
    with Session(open_store(settings)) as session:
        result = answer_table(
            session=session,
            settings=settings,
            mode="evaluate",
            variant="v1",
            source=BatchInput(checked_table(markdown, settings)),
        ).public()
    assert [i.evaluation.language for i in result.items.values()] == ["de", "en"]


def test_run_table_reports_near_duplicates(fake_engine: FakeEngine, settings: Settings) -> None:
    markdown = _table(
        "The system shall log every login.",
        "Something else entirely.",
        "The system shall log every login!",
    )
    with Session(open_store(settings)) as session:
        result = answer_table(
            session=session,
            settings=settings,
            mode="evaluate",
            variant="v1",
            source=BatchInput(checked_table(markdown, settings)),
        ).public()
    assert [(p.a, p.b, p.similarity) for p in result.near_duplicates] == [("R1", "R3", 1.0)]


class _CountingSession:
    def __init__(self) -> None:
        self.added = 0
        self.commits: list[int] = []


@pytest.fixture
def counting() -> _CountingSession:
    """A session that counts what each save (one durable transaction) held."""
    return _CountingSession()


def _add(s: Any, chunk: list[tuple[int, int]]) -> None:
    s.added += len(chunk)
    s.commits.append(s.added)


@pytest.mark.parametrize(
    ("items", "batch_size", "commits"),
    [
        (5, 2, [2, 4, 5]),
        (4, 2, [2, 4]),
        (3, 10, [3]),
        (0, 3, []),
    ],
)
def test_saved_commits_once_per_chunk(
    counting: _CountingSession, items: int, batch_size: int, commits: list[int]
) -> None:
    outcomes = [Outcome(i, i, result=i) for i in range(items)]
    assert len(list(saved(counting, outcomes, batch_size=batch_size, save=_add))) == items  # type: ignore[arg-type]
    assert counting.commits == commits


def test_saved_on_early_stop_commits_what_the_stream_sent(counting: _CountingSession) -> None:
    stream = saved(
        counting,  # type: ignore[arg-type]
        [Outcome(i, i, result=i) for i in range(5)],
        batch_size=10,
        save=_add,
    )
    next(stream), next(stream)
    stream.close()
    assert counting.commits == [2]


def test_suggest_texts_keys_and_errors(fake_engine: FakeEngine, settings: Settings) -> None:
    request = BatchValidateCreate(items=["Good.", "A bad thing.", "💥"])
    with Session(open_store(settings)) as session:
        result = suggest_texts(session=session, settings=settings, request=request, variant="v1")
    assert result.items["REQ_1"].suggestions == []
    assert result.items["REQ_2"].suggestions[0].original_fragment == "bad"
    assert list(result.errors) == ["REQ_3"]


def test_run_table_parallel_batches_never_lock_database(
    fake_engine: FakeEngine, db_engine: Engine, make_settings: SettingsFactory
) -> None:
    """Four batches at once on one database: every write lands, none fails with 'locked'."""
    sync_criteria(db_engine)
    settings = make_settings(max_parallel=4, batch_size=3, max_concurrent_batches=4)
    table = checked_table(_table(*[f"Requirement number {n}." for n in range(30)]), settings)
    failures: list[BaseException] = []

    def one_batch() -> None:
        try:
            with Session(db_engine) as session:
                result = answer_table(
                    session=session,
                    settings=settings,
                    mode="rewrite",
                    source=BatchInput(table),
                    variant="v2",
                ).public()
            assert not result.errors
        except BaseException as exc:  # noqa: BLE001  (collected and asserted below)
            failures.append(exc)

    threads = [threading.Thread(target=one_batch) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert _count(db_engine, Evaluation) == 120
    assert fake_engine.max_in_flight <= 16
