"""« Mon compte »: a user's own sessions listed, the others closed (issue 16 point 7)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fakes import FakeUnitOfWork, FixedClock, actor_with_role
from fakes_login import LOGIN_POLICY
from identito.domain.errors import NotFound
from identito.domain.permissions import Role
from identito.services import auth, sessions
from identito.services.login_throttle import LoginAttempt
from identito.services.own_sessions import ActiveSession, active_sessions, close_other_sessions
from identito.services.rules import Rules
from identito.services.unit_of_work import WebSession

ADMIN = actor_with_role(Role.ADMIN, "admin")
ACCUEIL = actor_with_role(Role.ADMISSION, "accueil")
POLICY = sessions.SessionPolicy(idle=timedelta(minutes=30), absolute=timedelta(hours=10))
PASSWORD = "mot-de-passe-1"


@pytest.fixture
def accounts(uow: FakeUnitOfWork, rules: Rules) -> FakeUnitOfWork:
    auth.add_user("accueil", PASSWORD, "admission", uow=uow, actor=ADMIN, rules=rules)
    auth.add_user("autre", PASSWORD, "care", uow=uow, actor=ADMIN, rules=rules)
    return uow


def login(uow: FakeUnitOfWork, rules: Rules, username: str = "accueil") -> str:
    opened = sessions.open_session(LoginAttempt(username), PASSWORD, uow=uow, rules=rules,
                                   policy=POLICY, throttle=LOGIN_POLICY)  # fmt: skip
    return sessions.token_hash(opened.token)


def listed(uow: FakeUnitOfWork, rules: Rules, current: str) -> list[ActiveSession]:
    return active_sessions(ACCUEIL, current=current, uow=uow, rules=rules, policy=POLICY)


def test_the_list_shows_the_users_live_sessions_the_current_one_first(
    accounts: FakeUnitOfWork, rules: Rules, clock: FixedClock
) -> None:
    first = login(accounts, rules)
    clock.advance(timedelta(minutes=1))
    second = login(accounts, rules)
    login(accounts, rules, "autre")
    found = listed(accounts, rules, current=first)
    assert [s.current for s in found] == [True, False]
    assert [s.reference for s in found] == [first[:16], second[:16]]


def test_an_idle_session_is_not_listed_as_open(
    accounts: FakeUnitOfWork, rules: Rules, clock: FixedClock
) -> None:
    fresh = login(accounts, rules)
    long_ago = clock() - POLICY.idle - timedelta(minutes=1)  # not yet swept by a login
    accounts.sessions.add(WebSession("f" * 64, "accueil", "csrf", long_ago, long_ago))
    assert [s.reference for s in listed(accounts, rules, fresh)] == [fresh[:16]]


def test_closing_the_other_sessions_keeps_this_one_and_is_audited(
    accounts: FakeUnitOfWork, rules: Rules
) -> None:
    this, other, third = login(accounts, rules), login(accounts, rules), login(accounts, rules)
    stranger = login(accounts, rules, "autre")
    assert close_other_sessions(ACCUEIL, current=this, uow=accounts, rules=rules) == 2
    assert set(accounts.sessions.sessions) == {this, stranger}
    assert other not in accounts.sessions.sessions and third not in accounts.sessions.sessions
    entry = accounts.audit.entries[-1]
    assert (entry.action, entry.actor, entry.details) == (
        "session.own_closed",
        "accueil",
        {"sessions_ended": 2, "one": False},
    )


def test_one_other_session_is_closed_by_its_reference_never_the_current_or_someone_elses(
    accounts: FakeUnitOfWork, rules: Rules
) -> None:
    this, other, kept = login(accounts, rules), login(accounts, rules), login(accounts, rules)
    stranger = login(accounts, rules, "autre")
    closed = close_other_sessions(ACCUEIL, current=this, uow=accounts, rules=rules,
                                  reference=other[:16])  # fmt: skip
    assert closed == 1 and set(accounts.sessions.sessions) == {this, kept, stranger}
    for refused in (this[:16], stranger[:16], other[:16]):
        with pytest.raises(NotFound):
            close_other_sessions(ACCUEIL, current=this, uow=accounts, rules=rules,
                                 reference=refused)  # fmt: skip
    assert set(accounts.sessions.sessions) == {this, kept, stranger}
