"""Password change, token revocation, an administrator ending a user's access (issue 13)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fakes import FakeUnitOfWork, actor_with_role
from fakes_login import LOGIN_POLICY
from identito.domain.errors import InvalidInput, NotFound, PermissionDenied
from identito.domain.permissions import Role
from identito.services import auth, sessions
from identito.services.accounts import change_password, revoke_access
from identito.services.login_throttle import LoginAttempt, LoginThrottled
from identito.services.rules import Rules

ADMIN = actor_with_role(Role.ADMIN, "admin")
ACCUEIL = actor_with_role(Role.ADMISSION, "accueil")
TTL = timedelta(hours=8)
SESSIONS = sessions.SessionPolicy(idle=timedelta(minutes=30), absolute=timedelta(hours=10))
PASSWORD, NEW = "mot-de-passe-1", "trois-pommes-vertes"


@pytest.fixture
def accounts(uow: FakeUnitOfWork, rules: Rules) -> FakeUnitOfWork:
    auth.add_user("accueil", PASSWORD, "admission", uow=uow, actor=ADMIN, rules=rules)
    return uow


def token(uow: FakeUnitOfWork, rules: Rules, password: str = PASSWORD) -> str:
    attempt = LoginAttempt("accueil")
    return auth.issue_token(attempt, password, uow=uow, rules=rules, ttl=TTL, policy=LOGIN_POLICY)


def session(uow: FakeUnitOfWork, rules: Rules) -> str:
    opened = sessions.open_session(
        LoginAttempt("accueil"), PASSWORD, uow=uow, rules=rules, policy=SESSIONS,
        throttle=LOGIN_POLICY,
    )  # fmt: skip
    return opened.token


def change(uow: FakeUnitOfWork, rules: Rules, current: str, new: str, confirm: str = "", **kw):  # type: ignore[no-untyped-def]
    return change_password(
        ACCUEIL, current, new, confirm or new, uow=uow, rules=rules, throttle=LOGIN_POLICY, **kw
    )


def refused(uow: FakeUnitOfWork, rules: Rules, cookie: str) -> bool:
    try:
        sessions.session_actor(cookie, uow=uow, rules=rules, policy=SESSIONS)
    except sessions.SessionExpired:
        return True
    return False


def test_a_password_change_keeps_this_session_and_ends_the_others_and_every_token(
    accounts: FakeUnitOfWork, rules: Rules
) -> None:
    this, other, api = session(accounts, rules), session(accounts, rules), token(accounts, rules)
    ended = change(accounts, rules, PASSWORD, NEW, keep_session=sessions.token_hash(this))
    assert (ended.sessions, ended.tokens) == (1, 1)
    assert not refused(accounts, rules, this) and refused(accounts, rules, other)
    with pytest.raises(auth.AuthenticationFailed):
        auth.actor_for_token(api, uow=accounts, rules=rules)
    with pytest.raises(auth.AuthenticationFailed):
        token(accounts, rules, PASSWORD)
    assert token(accounts, rules, NEW)
    changed = [e for e in accounts.audit.entries if e.action == "user.password_changed"]
    assert [(e.actor, e.details) for e in changed] == [
        ("accueil", {"sessions_ended": 1, "tokens_revoked": 1})
    ]
    assert NEW not in str(accounts.audit.entries)


@pytest.mark.parametrize(
    ("current", "new", "confirm", "fields"),
    [(PASSWORD, "password", "password", {"new_password": ["password_length", "password_common"]}),
     (PASSWORD, "12345678", "12345678", {"new_password": ["password_length", "password_numeric"]}),
     (PASSWORD, "onze-carac.", "onze-carac.", {"new_password": ["password_length"]}),
     (PASSWORD, NEW, "autre-chose-encore", {"confirmation": ["confirmation_differs"]}),
     (PASSWORD, PASSWORD, PASSWORD, {"new_password": ["password_unchanged"]}),
     ("pas-le-bon-mot", NEW, NEW, {"current_password": ["password_wrong"]})],
)  # fmt: skip
def test_a_password_change_names_each_field_and_rule_it_breaks(
    accounts: FakeUnitOfWork, rules: Rules, current: str, new: str, confirm: str, fields: dict
) -> None:  # type: ignore[type-arg]
    with pytest.raises(InvalidInput) as error:
        change(accounts, rules, current, new, confirm)
    found: dict[str, list[str]] = {}
    for item in error.value.errors:
        found.setdefault(item.field, []).append(item.rule)
    assert found == fields
    assert token(accounts, rules, PASSWORD)  # unchanged


def test_a_wrong_current_password_counts_as_a_failed_login(
    accounts: FakeUnitOfWork, rules: Rules
) -> None:
    for _ in range(LOGIN_POLICY.account.free_failures):
        with pytest.raises(InvalidInput):
            change(accounts, rules, "pas-le-bon-mot", NEW)
    with pytest.raises(LoginThrottled):
        change(accounts, rules, PASSWORD, NEW)


def test_a_revoked_token_is_refused_on_its_next_use(accounts: FakeUnitOfWork, rules: Rules) -> None:
    kept, revoked = token(accounts, rules), token(accounts, rules)
    auth.revoke_token(revoked, uow=accounts, rules=rules)
    with pytest.raises(auth.AuthenticationFailed):
        auth.actor_for_token(revoked, uow=accounts, rules=rules)
    assert auth.actor_for_token(kept, uow=accounts, rules=rules).username == "accueil"
    assert "token.revoked" in accounts.audit.actions()
    with pytest.raises(auth.AuthenticationFailed):
        auth.revoke_token(revoked, uow=accounts, rules=rules)


def test_disabling_a_user_ends_its_sessions_and_tokens_at_once(
    accounts: FakeUnitOfWork, rules: Rules
) -> None:
    cookie, api = session(accounts, rules), token(accounts, rules)
    auth.change_user("accueil", active=False, uow=accounts, actor=ADMIN, rules=rules)
    assert accounts.sessions.sessions == {} and accounts.users.tokens == {}
    assert refused(accounts, rules, cookie)
    with pytest.raises(auth.AuthenticationFailed):
        auth.actor_for_token(api, uow=accounts, rules=rules)


def test_an_administrator_ends_every_session_and_token_of_a_user(
    accounts: FakeUnitOfWork, rules: Rules
) -> None:
    cookie, api = session(accounts, rules), token(accounts, rules)
    ended = revoke_access("accueil", uow=accounts, actor=ADMIN, rules=rules)
    assert (ended.sessions, ended.tokens) == (1, 1)
    assert refused(accounts, rules, cookie)
    with pytest.raises(auth.AuthenticationFailed):
        auth.actor_for_token(api, uow=accounts, rules=rules)
    entry = accounts.audit.entries[-1]
    assert (entry.action, entry.actor, entry.details["username"]) == (
        "user.access_revoked", "admin", "accueil",
    )  # fmt: skip
    with pytest.raises(NotFound):
        revoke_access("personne", uow=accounts, actor=ADMIN, rules=rules)
    with pytest.raises(PermissionDenied):
        revoke_access("admin", uow=accounts, actor=ACCUEIL, rules=rules)


def test_issuing_a_token_clears_the_expired_ones_of_the_user(
    accounts: FakeUnitOfWork, rules: Rules, clock
) -> None:  # type: ignore[no-untyped-def]
    token(accounts, rules)
    clock.advance(TTL)
    token(accounts, rules)
    assert len(accounts.users.tokens) == 1
