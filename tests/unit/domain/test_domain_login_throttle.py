"""The login throttle rule (issue 13 point 2): growing delays, then a temporary lock."""

from __future__ import annotations

import doctest
from datetime import UTC, datetime, timedelta

from identito.domain import login_throttle
from identito.domain.login_throttle import ThrottlePolicy, ThrottleState

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
POLICY = ThrottlePolicy(
    free_failures=3,
    lock_failures=8,
    first_delay=timedelta(seconds=1),
    max_delay=timedelta(seconds=10),
    lock_duration=timedelta(minutes=15),
    memory=timedelta(hours=1),
)


def failed(times: int, at: datetime = T0, state: ThrottleState | None = None) -> ThrottleState:
    state = state or ThrottleState()
    for _ in range(times):
        state = POLICY.after_failure(state, at)
    return state


def test_the_examples_of_the_module_hold() -> None:
    assert doctest.testmod(login_throttle).failed == 0


def test_the_free_failures_cost_no_wait() -> None:
    for count in range(3):
        assert POLICY.refused_until(failed(count), T0) is None


def test_each_failure_past_the_free_ones_doubles_the_wait_up_to_the_maximum() -> None:
    waits = [POLICY.delay(count) for count in range(3, 8)]
    assert waits == [timedelta(seconds=s) for s in (1, 2, 4, 8, 10)]
    assert POLICY.refused_until(failed(5), T0) == T0 + timedelta(seconds=4)
    assert POLICY.refused_until(failed(5), T0 + timedelta(seconds=4)) is None


def test_the_lock_failure_locks_the_key_for_the_lock_duration() -> None:
    state = failed(8)
    assert state.locked_until == T0 + timedelta(minutes=15)
    assert POLICY.refused_until(state, T0 + timedelta(minutes=14)) == state.locked_until
    assert state.locked_at(T0 + timedelta(minutes=14))


def test_a_lock_that_ran_out_is_forgotten_and_counting_starts_again() -> None:
    later = T0 + timedelta(minutes=15)
    state = failed(8)
    assert POLICY.refused_until(state, later) is None
    assert POLICY.after_failure(state, later).failures == 1


def test_failures_older_than_the_memory_are_forgotten() -> None:
    later = T0 + timedelta(hours=1)
    assert POLICY.current(failed(5), later) == ThrottleState()
    assert POLICY.after_failure(failed(5), later).failures == 1


def test_the_wait_never_overflows_after_very_many_failures() -> None:
    assert POLICY.delay(10_000) == timedelta(seconds=10)
