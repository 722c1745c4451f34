"""core.attempts: the flag an attempt is cancelled with reaches work in other threads."""

from __future__ import annotations

import contextvars
import threading

import pytest

from core.attempts import attempt, check_attempt
from core.exceptions import AttemptCancelled


def test_outside_an_attempt_nothing_is_cancelled() -> None:
    check_attempt()


def test_a_set_flag_stops_the_attempt_and_ends_with_it() -> None:
    with attempt() as cancelled:
        check_attempt()
        cancelled.set()
        assert cancelled.is_set()
        with pytest.raises(AttemptCancelled):
            check_attempt()
    check_attempt()  # the next attempt (or none) starts afresh


def test_a_worker_thread_sees_the_flag_set_after_it_started() -> None:
    started, go_on = threading.Event(), threading.Event()
    seen: list[bool] = []

    def work() -> None:
        started.set()
        go_on.wait(5)
        try:
            check_attempt()
            seen.append(False)
        except AttemptCancelled:
            seen.append(True)

    with attempt() as cancelled:
        thread = threading.Thread(target=contextvars.copy_context().run, args=(work,))
        thread.start()
        started.wait(5)
        cancelled.set()  # the gateway gives up while the work runs
        go_on.set()
        thread.join(5)
    assert seen == [True]
