"""Login throttling applied: refuse a throttled attempt, count a failure, list and lift locks.

The web form, ``POST /api/v1/auth/token`` and the password change page all go through
``services.auth.authenticate``, which calls these. The state lives in the database
(``LoginThrottleStore``) so that every ``identito serve`` process behind a load
balancer sees the same counters; locks and their lifting are audited.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from identito.domain.errors import DomainError, NotFound
from identito.domain.events import AuditAction
from identito.domain.login_throttle import LoginPolicy, ThrottleKind, ThrottleState
from identito.domain.permissions import Actor, Permission, Role, role_permissions
from identito.services.rules import Rules
from identito.services.unit_of_work import AuditEntry, UnitOfWork

_KEY_LENGTH = 200
_SYSTEM = Actor("system", Role.ADMIN, role_permissions(Role.ADMIN))


class LoginThrottled(DomainError):
    """Too many failed logins for this username or this address (HTTP 429).

    Said the same way for a known and an unknown username."""

    def __init__(self, until: datetime, now: datetime, *, locked: bool) -> None:
        self.retry_after = max(1, math.ceil((until - now).total_seconds()))
        self.locked = locked
        if locked:
            minutes = math.ceil(self.retry_after / 60)
            message = (
                "Trop de tentatives de connexion échouées : connexion bloquée pendant "
                f"{minutes} min environ. Un administrateur peut lever le blocage."
            )
        else:
            message = (
                "Trop de tentatives de connexion échouées : nouvel essai possible dans "
                f"{self.retry_after} s."
            )
        super().__init__(message)


@dataclass(frozen=True)
class LoginAttempt:
    """Who tries to log in: the username as typed and the client address (if known)."""

    username: str
    address: str | None = None

    def throttled_keys(self) -> list[tuple[ThrottleKind, str]]:
        keys = [(ThrottleKind.ACCOUNT, self.username[:_KEY_LENGTH])]
        if self.address:
            keys.append((ThrottleKind.ADDRESS, self.address[:_KEY_LENGTH]))
        return keys


@dataclass(frozen=True)
class LoginLock:
    kind: ThrottleKind
    key: str
    failures: int
    locked_until: datetime


def refuse_if_throttled(
    attempt: LoginAttempt, *, uow: UnitOfWork, policy: LoginPolicy, now: datetime
) -> None:
    """Raise ``LoginThrottled`` while the account or the address must wait or is locked."""
    refusals = []
    for kind, key in attempt.throttled_keys():
        state = uow.login_throttles.get(kind, key)
        if state is None:
            continue
        until = policy.of(kind).refused_until(state, now)
        if until is not None:
            refusals.append((until, state.locked_at(now)))
    if refusals:
        until, locked = max(refusals)
        raise LoginThrottled(until, now, locked=locked)


def record_failure(
    attempt: LoginAttempt, *, uow: UnitOfWork, policy: LoginPolicy, now: datetime
) -> None:
    """Count one failure on the account and the address; a key reaching its limit is
    locked (audited). The caller commits."""
    for kind, key in attempt.throttled_keys():
        rule = policy.of(kind)
        before = uow.login_throttles.lock(kind, key)
        after = rule.after_failure(before, now)
        uow.login_throttles.save(kind, key, after)
        if after.locked_at(now) and not before.locked_at(now):
            details = {"kind": kind.value, "key": key, "failures": after.failures,
                       "locked_until": after.locked_until.isoformat() if after.locked_until
                       else None}  # fmt: skip
            uow.add_audit(
                AuditEntry(_SYSTEM.username, now, AuditAction.LOGIN_LOCKED, None,
                           details=details)
            )  # fmt: skip
    memory = max(policy.account.memory, policy.address.memory)
    uow.login_throttles.delete_stale(now, now - memory)


def forget_account(attempt: LoginAttempt, *, uow: UnitOfWork) -> None:
    """A successful login clears the failures of its account (not of its address)."""
    kind, key = attempt.throttled_keys()[0]
    if uow.login_throttles.get(kind, key) is not None:
        uow.login_throttles.delete(kind, key)


def list_locks(*, uow: UnitOfWork, actor: Actor, rules: Rules) -> list[LoginLock]:
    """The accounts (usernames as typed) and addresses locked now."""
    actor.require(Permission.USERS_ADMIN)
    now = rules.now()
    with uow:
        return [
            LoginLock(kind, key, state.failures, state.locked_until)
            for kind, key, state in uow.login_throttles.locked(now)
            if state.locked_until is not None
        ]


def lift_lock(
    kind: ThrottleKind | str, key: str, *, uow: UnitOfWork, actor: Actor, rules: Rules
) -> None:
    """Lift the lock (and forget the failures) of an account or an address (audited)."""
    actor.require(Permission.USERS_ADMIN)
    try:
        parsed = ThrottleKind(kind)
    except ValueError:
        raise NotFound(f"Type de blocage inconnu : {kind}.") from None
    now = rules.now()
    with uow:
        state: ThrottleState | None = uow.login_throttles.get(parsed, key)
        if state is None or not uow.login_throttles.delete(parsed, key):
            raise NotFound(f"Aucun échec de connexion enregistré pour {parsed.label} « {key} ».")
        details = {"kind": parsed.value, "key": key, "failures": state.failures,
                   "was_locked": state.locked_at(now)}  # fmt: skip
        uow.add_audit(
            AuditEntry(actor.username, now, AuditAction.LOGIN_UNLOCKED, None,
                       details=details)
        )  # fmt: skip
        uow.commit(actor, now)
