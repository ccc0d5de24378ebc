"""The port that keeps login failures (throttling), shared by every ``identito serve``.

One row per throttled key (``ThrottleKind`` and its value: the username as typed or the
client address); the rule that reads it is ``domain.login_throttle``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from identito.domain.login_throttle import ThrottleKind, ThrottleState


class LoginThrottleStore(Protocol):
    def get(self, kind: ThrottleKind, key: str) -> ThrottleState | None:
        """The recorded failures of a key (None: none recorded)."""
        ...

    def lock(self, kind: ThrottleKind, key: str) -> ThrottleState:
        """The failures of a key, its row locked until the end of the transaction
        (created empty when missing), so that concurrent failures all count."""
        ...

    def save(self, kind: ThrottleKind, key: str, state: ThrottleState) -> None:
        """Write the state of a key locked with ``lock`` in this transaction."""
        ...

    def delete(self, kind: ThrottleKind, key: str) -> bool:
        """Forget a key; False when nothing was recorded."""
        ...

    def locked(self, now: datetime) -> list[tuple[ThrottleKind, str, ThrottleState]]:
        """The keys locked at ``now``, the lock ending last first."""
        ...

    def delete_stale(self, now: datetime, failed_before: datetime) -> None:
        """Housekeeping: forget keys not locked at ``now`` whose last failure is older."""
        ...
