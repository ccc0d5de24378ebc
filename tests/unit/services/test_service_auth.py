"""Users, password hashing and bearer tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fakes import FakeUnitOfWork, FixedClock, actor_with_role
from fakes_login import LOGIN_POLICY
from identito.domain.errors import InvalidInput, PermissionDenied
from identito.domain.permissions import Permission, Role, role_permissions
from identito.services import auth
from identito.services.login_throttle import LoginAttempt
from identito.services.rules import Rules
from identito.services.unit_of_work import User

TTL = timedelta(hours=8)
ADMIN = actor_with_role(Role.ADMIN)


def token_for(uow: FakeUnitOfWork, rules: Rules, username: str, password: str) -> str:
    attempt = LoginAttempt(username)
    return auth.issue_token(attempt, password, uow=uow, rules=rules, ttl=TTL, policy=LOGIN_POLICY)


@pytest.fixture
def accounts(uow: FakeUnitOfWork, rules: Rules) -> FakeUnitOfWork:
    auth.add_user("accueil", "mot-de-passe-1", "admission", uow=uow, actor=ADMIN, rules=rules)
    return uow


def test_a_password_is_stored_salted_and_hashed_and_verifies() -> None:
    first, second = auth.hash_password("secret-123"), auth.hash_password("secret-123")
    assert first != second and "secret-123" not in first
    assert first.startswith("scrypt$")
    assert auth.verify_password("secret-123", first)
    assert not auth.verify_password("secret-124", first)


@pytest.mark.parametrize(
    "stored", ["", "plain", "md5$00$00", "scrypt$only-two", "scrypt$not-hex$00"]
)
def test_a_malformed_stored_hash_never_verifies(stored: str) -> None:
    assert not auth.verify_password("secret-123", stored)


def test_adding_a_user_checks_every_field_at_once(uow: FakeUnitOfWork, rules: Rules) -> None:
    with pytest.raises(InvalidInput) as error:
        auth.add_user(" ", "court", "chef", uow=uow, actor=ADMIN, rules=rules)
    assert [e.field for e in error.value.errors] == ["username", "password", "role"]
    assert uow.users.list() == []


def test_a_username_is_unique(accounts: FakeUnitOfWork, rules: Rules) -> None:
    with pytest.raises(InvalidInput) as error:
        auth.add_user(
            "accueil", "autre-mot-de-passe", "care", uow=accounts, actor=ADMIN, rules=rules
        )
    assert error.value.errors[0].rule == "username_taken"


def test_only_a_user_administrator_adds_users(uow: FakeUnitOfWork, rules: Rules) -> None:
    with pytest.raises(PermissionDenied):
        auth.add_user(
            "x",
            "mot-de-passe-valide",
            "care",
            uow=uow,
            actor=actor_with_role(Role.IDENTITY_VIGILANCE),
            rules=rules,
        )


def test_a_token_is_issued_for_good_credentials_and_resolves_to_the_user_and_role(
    accounts: FakeUnitOfWork, rules: Rules
) -> None:
    token = token_for(accounts, rules, "accueil", "mot-de-passe-1")
    actor = auth.actor_for_token(token, uow=accounts, rules=rules)
    assert (actor.username, actor.role) == ("accueil", Role.ADMISSION)
    assert actor.permissions == role_permissions(Role.ADMISSION)
    assert token not in accounts.users.tokens  # only its hash is stored


def test_a_token_resolves_with_the_configured_role_permissions(
    accounts: FakeUnitOfWork, rules: Rules
) -> None:
    token = token_for(accounts, rules, "accueil", "mot-de-passe-1")
    actor = auth.actor_for_token(
        token, uow=accounts, rules=rules, role_overrides={"admission": ["identity:read"]}
    )
    assert actor.permissions == {Permission.IDENTITY_READ}


@pytest.mark.parametrize(
    ("username", "password"), [("accueil", "mauvais"), ("inconnu", "mot-de-passe-1")]
)
def test_a_wrong_password_or_unknown_user_gets_no_token(
    accounts: FakeUnitOfWork, rules: Rules, username: str, password: str
) -> None:
    with pytest.raises(auth.AuthenticationFailed):
        token_for(accounts, rules, username, password)
    assert accounts.users.tokens == {}


def test_an_expired_token_is_refused(
    accounts: FakeUnitOfWork, rules: Rules, clock: FixedClock
) -> None:
    token = token_for(accounts, rules, "accueil", "mot-de-passe-1")
    clock.advance(TTL - timedelta(seconds=1))
    auth.actor_for_token(token, uow=accounts, rules=rules)
    clock.advance(timedelta(seconds=1))
    with pytest.raises(auth.AuthenticationFailed):
        auth.actor_for_token(token, uow=accounts, rules=rules)


def test_an_unknown_token_is_refused(accounts: FakeUnitOfWork, rules: Rules) -> None:
    with pytest.raises(auth.AuthenticationFailed):
        auth.actor_for_token("pas-un-jeton", uow=accounts, rules=rules)


def test_a_deactivated_user_can_neither_log_in_nor_use_a_token(
    accounts: FakeUnitOfWork, rules: Rules
) -> None:
    token = token_for(accounts, rules, "accueil", "mot-de-passe-1")
    user = accounts.users.users["accueil"]
    accounts.users.users["accueil"] = User(
        user.username, user.role, user.password_hash, active=False, id=user.id
    )
    with pytest.raises(auth.AuthenticationFailed):
        auth.actor_for_token(token, uow=accounts, rules=rules)
    with pytest.raises(auth.AuthenticationFailed):
        token_for(accounts, rules, "accueil", "mot-de-passe-1")
