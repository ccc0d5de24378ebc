"""A user's own sessions in the database (issue 16 point 7): listed from any process,
the others closed, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from fakes_login import LOGIN_POLICY
from identito.adapters.unit_of_work import SqlUnitOfWork
from identito.domain.permissions import Actor, Role, role_permissions
from identito.services.auth import add_user
from identito.services.login_throttle import LoginAttempt
from identito.services.own_sessions import active_sessions, close_other_sessions
from identito.services.rules import Rules
from identito.services.sessions import SessionPolicy, open_session, token_hash

POLICY = SessionPolicy(idle=timedelta(minutes=30), absolute=timedelta(hours=10))
PASSWORD = "phrase-secrete-de-test"
LEROY = Actor("a.leroy", Role.ADMISSION, role_permissions(Role.ADMISSION))


def login(uow_factory: Callable[[], SqlUnitOfWork], rules: Rules, username: str) -> str:
    opened = open_session(LoginAttempt(username), PASSWORD, uow=uow_factory(), rules=rules,
                          policy=POLICY, throttle=LOGIN_POLICY)  # fmt: skip
    return token_hash(opened.token)


def test_the_sessions_of_a_user_are_listed_and_the_others_closed_in_the_database(
    uow_factory: Callable[[], SqlUnitOfWork], rules: Rules, admin: Actor
) -> None:
    for username in ("a.leroy", "b.martin"):
        add_user(username, PASSWORD, "admission", uow=uow_factory(), actor=admin, rules=rules)
    this, first_other, second_other = (login(uow_factory, rules, "a.leroy") for _ in range(3))
    stranger = login(uow_factory, rules, "b.martin")
    listed = active_sessions(LEROY, current=this, uow=uow_factory(), rules=rules, policy=POLICY)
    assert [s.reference for s in listed] == [this[:16], second_other[:16], first_other[:16]]
    closed = close_other_sessions(LEROY, current=this, uow=uow_factory(), rules=rules,
                                  reference=first_other[:16])  # fmt: skip
    assert closed == 1
    assert close_other_sessions(LEROY, current=this, uow=uow_factory(), rules=rules) == 1
    with uow_factory() as uow:
        assert [s.token_hash for s in uow.sessions.for_user("a.leroy")] == [this]
        assert [s.token_hash for s in uow.sessions.for_user("b.martin")] == [stranger]
