"""The ``LoginThrottleStore`` port in memory (kept across units of work, like sessions)."""

from __future__ import annotations

from datetime import datetime

from identito.domain.login_throttle import LoginPolicy, ThrottleKind, ThrottleState


class FakeLoginThrottles:
    def __init__(self) -> None:
        self.states: dict[tuple[ThrottleKind, str], ThrottleState] = {}

    def get(self, kind: ThrottleKind, key: str) -> ThrottleState | None:
        return self.states.get((kind, key))

    def lock(self, kind: ThrottleKind, key: str) -> ThrottleState:
        return self.states.setdefault((kind, key), ThrottleState())

    def save(self, kind: ThrottleKind, key: str, state: ThrottleState) -> None:
        self.states[(kind, key)] = state

    def delete(self, kind: ThrottleKind, key: str) -> bool:
        return self.states.pop((kind, key), None) is not None

    def locked(self, now: datetime) -> list[tuple[ThrottleKind, str, ThrottleState]]:
        found = [(k, key, s) for (k, key), s in self.states.items() if s.locked_at(now)]
        return sorted(found, key=lambda i: (i[2].locked_until, i[0], i[1]), reverse=True)

    def delete_stale(self, now: datetime, failed_before: datetime) -> None:
        for key, state in list(self.states.items()):
            stale = state.last_failure_at is not None and state.last_failure_at < failed_before
            if stale and not state.locked_at(now):
                del self.states[key]


def _default_policy() -> LoginPolicy:
    from identito.bootstrap import login_policy
    from identito.config import Settings

    return login_policy(Settings(database_url="sqlite://"))


#: The login throttles of the default settings.
LOGIN_POLICY = _default_policy()
