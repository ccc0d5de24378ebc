"""Login throttling: from the recent failures of a key, when the next attempt is accepted.

Failures are counted per account (the username as typed, known or not, so that the
answer never tells whether an account exists) and per source address. The first
``free_failures`` cost nothing; each further one delays the next attempt, the delay
doubling from ``first_delay`` up to ``max_delay``; the ``lock_failures``-th locks the
key for ``lock_duration``. An attempt refused because of a delay or a lock is not
counted (the password is not even checked). A lock that has run out, or failures
older than ``memory``, are forgotten.

>>> from datetime import UTC, datetime, timedelta
>>> policy = ThrottlePolicy(free_failures=2, lock_failures=4, first_delay=timedelta(seconds=1),
...     max_delay=timedelta(seconds=60), lock_duration=timedelta(minutes=15),
...     memory=timedelta(hours=1))
>>> t0 = datetime(2026, 1, 1, tzinfo=UTC)
>>> state = policy.after_failure(policy.after_failure(ThrottleState(), t0), t0)
>>> policy.refused_until(state, t0)
datetime.datetime(2026, 1, 1, 0, 0, 1, tzinfo=datetime.timezone.utc)
>>> state = policy.after_failure(state, t0 + timedelta(seconds=1))
>>> policy.refused_until(state, t0 + timedelta(seconds=1))
datetime.datetime(2026, 1, 1, 0, 0, 3, tzinfo=datetime.timezone.utc)
>>> locked = policy.after_failure(state, t0 + timedelta(seconds=3))
>>> locked.locked_until
datetime.datetime(2026, 1, 1, 0, 15, 3, tzinfo=datetime.timezone.utc)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class ThrottleKind(StrEnum):
    ACCOUNT = "account"  # the username as typed
    ADDRESS = "address"  # the client address of the request

    @property
    def label(self) -> str:
        return {"account": "identifiant", "address": "adresse"}[self.value]


@dataclass(frozen=True)
class ThrottleState:
    failures: int = 0
    last_failure_at: datetime | None = None
    locked_until: datetime | None = None

    def locked_at(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until


@dataclass(frozen=True)
class ThrottlePolicy:
    free_failures: int
    lock_failures: int
    first_delay: timedelta
    max_delay: timedelta
    lock_duration: timedelta
    memory: timedelta

    def current(self, state: ThrottleState, now: datetime) -> ThrottleState:
        """``state`` as it stands at ``now``: a lock run out or stale failures forgotten."""
        if state.locked_until is not None:
            return state if now < state.locked_until else ThrottleState()
        if state.last_failure_at is None or now - state.last_failure_at >= self.memory:
            return ThrottleState()
        return state

    def delay(self, failures: int) -> timedelta:
        """The wait after ``failures`` failures (zero while they are free)."""
        extra = failures - self.free_failures
        if extra < 0:
            return timedelta(0)
        doubled: timedelta = self.first_delay * (1 << min(extra, 32))
        return min(doubled, self.max_delay)

    def refused_until(self, state: ThrottleState, now: datetime) -> datetime | None:
        """When an attempt is accepted again, or None when it is accepted now."""
        state = self.current(state, now)
        if state.locked_until is not None:
            return state.locked_until
        if state.last_failure_at is None:
            return None
        accepted_at = state.last_failure_at + self.delay(state.failures)
        return accepted_at if accepted_at > now else None

    def after_failure(self, state: ThrottleState, now: datetime) -> ThrottleState:
        """The state once one more failure happened at ``now`` (locked at the limit)."""
        failures = self.current(state, now).failures + 1
        locked_until = now + self.lock_duration if failures >= self.lock_failures else None
        return ThrottleState(failures, now, locked_until)


@dataclass(frozen=True)
class LoginPolicy:
    """The throttles of one login attempt: its account and its source address."""

    account: ThrottlePolicy
    address: ThrottlePolicy

    def of(self, kind: ThrottleKind) -> ThrottlePolicy:
        return self.account if kind is ThrottleKind.ACCOUNT else self.address
