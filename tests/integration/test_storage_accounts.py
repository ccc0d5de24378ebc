"""Login throttles, token revocation and password change in the database (SQLite, PostgreSQL).

Throttling state is in the database, not in a process: several ``identito serve`` behind a
load balancer count the same failures (here: units of work of separate engines, and
concurrent threads).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select

from fakes_login import LOGIN_POLICY
from identito.adapters.database import create_engine_for, engine_for
from identito.adapters.orm import audit_log
from identito.adapters.unit_of_work import SqlUnitOfWork
from identito.domain.login_throttle import ThrottleKind, ThrottleState
from identito.domain.permissions import Actor
from identito.services import sessions
from identito.services.accounts import change_password, revoke_access
from identito.services.auth import (
    AuthenticationFailed,
    actor_for_token,
    add_user,
    change_user,
    issue_token,
    revoke_token,
)
from identito.services.login_throttle import (
    LoginAttempt,
    LoginThrottled,
    lift_lock,
    list_locks,
    record_failure,
)
from identito.services.rules import Rules

UowFactory = Callable[[], SqlUnitOfWork]
PASSWORD = "secret-password"
SESSIONS = sessions.SessionPolicy(idle=timedelta(minutes=30), absolute=timedelta(hours=10))


@pytest.fixture
def accounts(uow_factory: UowFactory, rules: Rules, admin: Actor) -> UowFactory:
    add_user("a.leroy", PASSWORD, "admission", uow=uow_factory(), actor=admin, rules=rules)
    return uow_factory


def token(uow_factory: UowFactory, rules: Rules, password: str = PASSWORD) -> str:
    return issue_token(
        LoginAttempt("a.leroy", "10.0.0.1"), password, uow=uow_factory(), rules=rules,
        ttl=timedelta(hours=1), policy=LOGIN_POLICY,
    )  # fmt: skip


def session(uow_factory: UowFactory, rules: Rules) -> sessions.OpenedSession:
    return sessions.open_session(
        LoginAttempt("a.leroy"), PASSWORD, uow=uow_factory(), rules=rules, policy=SESSIONS,
        throttle=LOGIN_POLICY,
    )  # fmt: skip


def test_failures_and_locks_are_kept_in_the_database_for_every_process(
    accounts: UowFactory, rules: Rules, database_url: str, clock
) -> None:  # type: ignore[no-untyped-def]
    engine = create_engine_for(database_url)  # another process: an engine of its own
    other_process = functools.partial(SqlUnitOfWork, engine)
    try:
        for number in range(LOGIN_POLICY.account.lock_failures):  # the two in turn
            with pytest.raises(AuthenticationFailed):
                token(accounts if number % 2 else other_process, rules, "faux")
            clock.current += LOGIN_POLICY.account.max_delay
        with pytest.raises(LoginThrottled) as refusal:
            token(other_process, rules)
        assert refusal.value.locked
        with other_process() as uow:
            state = uow.login_throttles.get(ThrottleKind.ACCOUNT, "a.leroy")
            address = uow.login_throttles.get(ThrottleKind.ADDRESS, "10.0.0.1")
    finally:
        engine.dispose()
    assert state is not None and state.failures == LOGIN_POLICY.account.lock_failures
    assert address is not None and address.failures == LOGIN_POLICY.account.lock_failures


def test_locks_are_listed_lifted_and_both_audited_in_the_database(
    accounts: UowFactory, rules: Rules, admin: Actor, clock, database_url: str
) -> None:  # type: ignore[no-untyped-def]
    for _ in range(LOGIN_POLICY.account.lock_failures):
        with pytest.raises(AuthenticationFailed):
            token(accounts, rules, "faux")
        clock.current += LOGIN_POLICY.account.max_delay
    locks = list_locks(uow=accounts(), actor=admin, rules=rules)
    assert [(lock.kind, lock.key, lock.failures) for lock in locks] == [
        (ThrottleKind.ACCOUNT, "a.leroy", LOGIN_POLICY.account.lock_failures)
    ]
    lift_lock(ThrottleKind.ACCOUNT, "a.leroy", uow=accounts(), actor=admin, rules=rules)
    assert list_locks(uow=accounts(), actor=admin, rules=rules) == []
    assert token(accounts, rules)
    with engine_for(database_url).connect() as connection:
        actions = list(connection.execute(select(audit_log.c.action)).scalars())
    assert actions.count("login.locked") == 1 and actions.count("login.unlocked") == 1


def test_concurrent_failures_of_one_username_all_count(accounts: UowFactory, rules: Rules) -> None:
    attempt = LoginAttempt("a.leroy", "10.0.0.9")
    now = rules.now()

    def fail(_: int) -> None:
        with accounts() as uow:
            record_failure(attempt, uow=uow, policy=LOGIN_POLICY, now=now)
            uow.commit(Actor("system", uow.users.get("a.leroy").role), now)  # type: ignore[union-attr]

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(fail, range(12)))
    with accounts() as uow:
        state = uow.login_throttles.get(ThrottleKind.ACCOUNT, "a.leroy")
    assert state is not None and state.failures == 12


def test_stale_failures_are_cleared_but_never_a_running_lock(
    accounts: UowFactory, rules: Rules
) -> None:
    now = rules.now()
    with accounts() as uow:
        for key, state in {
            "vieux": ThrottleState(2, now - timedelta(hours=3)),
            "bloque": ThrottleState(9, now - timedelta(hours=3), now + timedelta(minutes=5)),
            "recent": ThrottleState(1, now - timedelta(minutes=1)),
        }.items():
            uow.login_throttles.lock(ThrottleKind.ACCOUNT, key)
            uow.login_throttles.save(ThrottleKind.ACCOUNT, key, state)
        uow.login_throttles.delete_stale(now, now - timedelta(hours=1))
        kept = {key for key in ("vieux", "bloque", "recent")
                if uow.login_throttles.get(ThrottleKind.ACCOUNT, key)}  # fmt: skip
    assert kept == {"bloque", "recent"}


def test_tokens_are_revoked_one_by_one_all_at_once_and_when_the_user_is_disabled(
    accounts: UowFactory, rules: Rules, admin: Actor
) -> None:
    first, second = token(accounts, rules), token(accounts, rules)
    revoke_token(first, uow=accounts(), rules=rules)
    with pytest.raises(AuthenticationFailed):
        actor_for_token(first, uow=accounts(), rules=rules)
    assert actor_for_token(second, uow=accounts(), rules=rules).username == "a.leroy"

    ended = revoke_access("a.leroy", uow=accounts(), actor=admin, rules=rules)
    assert ended.tokens == 1
    with pytest.raises(AuthenticationFailed):
        actor_for_token(second, uow=accounts(), rules=rules)

    third, opened = token(accounts, rules), session(accounts, rules)
    change_user("a.leroy", active=False, uow=accounts(), actor=admin, rules=rules)
    with accounts() as uow:
        assert uow.users.get_token(hashlib.sha256(third.encode()).hexdigest()) is None
        assert uow.sessions.get(sessions.token_hash(opened.token)) is None
        assert uow.users.delete_tokens("a.leroy") == 0


def test_a_password_change_is_stored_and_ends_the_other_sessions_and_tokens(
    accounts: UowFactory, rules: Rules
) -> None:
    keep, other = session(accounts, rules), session(accounts, rules)
    api = token(accounts, rules)
    with accounts() as uow:
        user = uow.users.get("a.leroy")
    assert user is not None
    actor = Actor("a.leroy", user.role)
    ended = change_password(
        actor, PASSWORD, "nouvelle-phrase-secrete", "nouvelle-phrase-secrete", uow=accounts(),
        rules=rules, throttle=LOGIN_POLICY, keep_session=sessions.token_hash(keep.token),
    )  # fmt: skip
    assert (ended.sessions, ended.tokens) == (1, 1)
    with accounts() as uow:
        assert uow.sessions.get(sessions.token_hash(keep.token)) is not None
        assert uow.sessions.get(sessions.token_hash(other.token)) is None
    with pytest.raises(AuthenticationFailed):
        actor_for_token(api, uow=accounts(), rules=rules)
    assert token(accounts, rules, "nouvelle-phrase-secrete")
