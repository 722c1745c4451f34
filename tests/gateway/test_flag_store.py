"""The flag row and its audit on SQLite and PostgreSQL; env at start-up."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import cast

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

import gateway.flags
from core.exceptions import Unavailable
from core.store.flags import (
    ROLLBACK,
    FlagChange,
    Flags,
    change_flags,
    list_audit,
    read_flags,
    sync_env_flags,
)
from gateway.flags import FlagCache
from tests.conftest import SettingsFactory


def test_change_flags_bumps_epoch_and_audits(db_engine: Engine) -> None:
    first, changed = change_flags(
        db_engine, FlagChange(canary_percent=5), actor="a", reason="r", source="api"
    )
    assert changed and first.epoch == 1 and first.canary_percent == 5
    same, changed = change_flags(
        db_engine, FlagChange(canary_percent=5), actor="a", reason="", source="api"
    )
    assert not changed and same.epoch == 1
    rolled, _ = change_flags(db_engine, ROLLBACK, actor="b", reason="bad", source="api")
    assert (rolled.epoch, rolled.canary_percent, rolled.use_v2) == (2, 0, False)
    audit = list_audit(db_engine)
    assert [(e.epoch, e.actor, e.old["canaryPercent"], e.new["canaryPercent"]) for e in audit] == [
        (2, "b", 5, 0),
        (1, "a", 0, 5),
    ]


def test_sync_env_flags_env_wins_only_when_changed(
    db_engine: Engine, make_settings: SettingsFactory
) -> None:
    assert read_flags(db_engine) is None
    started = sync_env_flags(db_engine, make_settings(canary_percent=10))
    assert (started.canary_percent, started.source) == (10, "env")
    change_flags(db_engine, FlagChange(canary_percent=50), actor="op", reason="", source="api")
    restarted = sync_env_flags(db_engine, make_settings(canary_percent=10))
    assert restarted.canary_percent == 50  # same env as last deploy: the operator's ramp stays
    redeployed = sync_env_flags(db_engine, make_settings(canary_percent=20))
    assert (redeployed.canary_percent, redeployed.source) == (20, "env")
    assert list_audit(db_engine)[0].source == "env"


def test_sync_env_flags_matching_state_recorded(
    db_engine: Engine, make_settings: SettingsFactory
) -> None:
    sync_env_flags(db_engine, make_settings())
    change_flags(db_engine, FlagChange(canary_percent=30), actor="op", reason="", source="api")
    sync_env_flags(db_engine, make_settings(canary_percent=30))  # env caught up with the API
    change_flags(db_engine, ROLLBACK, actor="op", reason="", source="api")
    assert sync_env_flags(db_engine, make_settings(canary_percent=30)).canary_percent == 0


def test_flag_cache_sees_other_writer_within_max_age(
    db_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The refresh's read waits for the test: on a fast disk it could otherwise finish
    # between current() starting it and current() returning, and the check below would
    # see the new flags by luck of the thread switch rather than by design.
    may_read = threading.Event()

    def held_read(engine: Engine) -> Flags | None:
        assert may_read.wait(10), "the test never let the refresh read"
        return read_flags(engine)

    monkeypatch.setattr(gateway.flags, "read_flags", held_read)
    cache = FlagCache(db_engine, read_flags(db_engine) or Flags(), max_age_s=0.05)
    change_flags(db_engine, FlagChange(use_v2=True), actor="other", reason="", source="api")

    async def later() -> bool:
        await asyncio.sleep(0.06)
        assert cache.current().use_v2 is False  # answered at once; the refresh runs behind
        may_read.set()
        for _ in range(100):
            if cache.current().use_v2:
                return True
            await asyncio.sleep(0.01)
        return False

    assert asyncio.run(later()) is True


def test_flag_cache_answers_at_once_while_the_database_hangs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(gateway.flags, "read_flags", lambda _engine: time.sleep(1))
    cache = FlagCache(cast(Engine, None), Flags(canary_percent=7), max_age_s=0)
    started = time.monotonic()
    assert cache.current().canary_percent == 7
    assert asyncio.run(cache.for_routing()).canary_percent == 7  # not stale yet
    assert time.monotonic() - started < 0.1


def test_flag_cache_refuses_stale_flags_for_routing(monkeypatch: pytest.MonkeyPatch) -> None:
    def unreachable(_engine: Engine) -> None:
        raise OperationalError("SELECT", {}, Exception("connection refused"))

    monkeypatch.setattr(gateway.flags, "read_flags", unreachable)
    cache = FlagCache(cast(Engine, None), Flags(), max_age_s=0, max_staleness_s=0.05)
    time.sleep(0.06)
    with pytest.raises(Unavailable) as raised:
        asyncio.run(cache.for_routing())
    assert raised.value.headers == {"Retry-After": "2"}
    assert cache.current() == Flags()  # the gateway's own routes still show them


async def _until(condition: Callable[[], bool], timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "not within the deadline"
        await asyncio.sleep(0.01)


def test_flag_cache_run_refreshes_an_idle_cache(db_engine: Engine) -> None:
    """Another worker's change reaches a cache nothing asks (an idle worker): its next
    request must not route on the flags from before."""
    cache = FlagCache(db_engine, read_flags(db_engine) or Flags(), max_age_s=0.05)

    async def scenario() -> None:
        refreshing = asyncio.create_task(cache.run())
        changed, _ = await asyncio.to_thread(
            change_flags,
            db_engine,
            FlagChange(canary_percent=9),
            actor="o",
            reason="",
            source="api",
        )
        await _until(lambda: cache.flags.epoch == changed.epoch)  # never current(): idle
        refreshing.cancel()

    asyncio.run(scenario())
    assert cache.flags.canary_percent == 9


def test_flag_cache_run_lets_unreadable_flags_go_stale(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refreshing in the background must not make flags it cannot read look fresh."""

    def unreachable(_engine: Engine) -> None:
        raise OperationalError("SELECT", {}, Exception("connection refused"))

    monkeypatch.setattr(gateway.flags, "read_flags", unreachable)
    cache = FlagCache(cast(Engine, None), Flags(), max_age_s=0.01, max_staleness_s=0.2)

    async def scenario() -> None:
        refreshing = asyncio.create_task(cache.run())
        await _until(lambda: cache.age_s > 0.2)
        with pytest.raises(Unavailable):
            await cache.for_routing()
        refreshing.cancel()

    asyncio.run(scenario())


def test_a_cancelled_waiter_leaves_the_shared_refresh_to_the_others(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The lifespan's refresh loop cancelled (shutdown) or a route's wait timed out while a
    refresh runs: the refresh still ends cleanly for everyone else, no error in its thread."""
    read = threading.Event()
    monkeypatch.setattr(gateway.flags, "read_flags", lambda _engine: read.wait(5) and None)
    failures: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: failures.append(args.exc_value))
    cache = FlagCache(cast(Engine, None), Flags(), max_age_s=0)

    async def scenario() -> None:
        refresh = cache._start_refresh(now=True)  # noqa: SLF001  (the refresh under way)
        assert refresh is not None
        looping = asyncio.create_task(cache.run())  # waits for the same refresh
        await asyncio.sleep(0.05)
        looping.cancel()  # the lifespan ends
        await asyncio.gather(looping, return_exceptions=True)
        other = asyncio.ensure_future(asyncio.wrap_future(refresh))  # a route still waiting
        read.set()
        await asyncio.wait_for(other, 5)

    asyncio.run(scenario())
    deadline = time.monotonic() + 5
    while cache._refresh is not None and time.monotonic() < deadline:  # noqa: SLF001
        time.sleep(0.01)
    time.sleep(0.05)
    assert failures == []
