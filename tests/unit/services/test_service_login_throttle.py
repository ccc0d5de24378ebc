"""Throttled logins, one scrypt per attempt, locks listed and lifted (issue 13 point 2)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from fakes import FakeUnitOfWork, FixedClock, actor_with_role
from fakes_login import LOGIN_POLICY
from identito.domain.errors import NotFound, PermissionDenied
from identito.domain.login_throttle import ThrottleKind
from identito.domain.permissions import Role
from identito.services import auth, login_throttle
from identito.services.login_throttle import LoginAttempt, LoginThrottled
from identito.services.rules import Rules
from identito.services.unit_of_work import User

ADMIN = actor_with_role(Role.ADMIN, "admin")
TTL = timedelta(hours=8)
PASSWORD = "mot-de-passe-1"


@pytest.fixture
def accounts(uow: FakeUnitOfWork, rules: Rules) -> FakeUnitOfWork:
    auth.add_user("accueil", PASSWORD, "admission", uow=uow, actor=ADMIN, rules=rules)
    auth.add_user("ancien", PASSWORD, "care", uow=uow, actor=ADMIN, rules=rules)
    auth.change_user("ancien", active=False, uow=uow, actor=ADMIN, rules=rules)
    return uow


def token(
    uow: FakeUnitOfWork, rules: Rules, username: str, password: str, address: str = ""
) -> str:
    attempt = LoginAttempt(username, address or None)
    return auth.issue_token(attempt, password, uow=uow, rules=rules, ttl=TTL, policy=LOGIN_POLICY)


def outcome(call: Callable[[], Any]) -> str:
    try:
        call()
    except auth.AuthenticationFailed as error:
        return f"401 {error.message}"
    except LoginThrottled as error:
        return f"429 {error.message}"
    return "200"


@pytest.fixture
def scrypt_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = hashlib.scrypt

    def counting(*args: Any, **kwargs: Any) -> bytes:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", counting)
    return calls


@pytest.mark.parametrize(
    ("username", "password"),
    [("accueil", PASSWORD), ("accueil", "mauvais-mot-de-passe"), ("inconnu", PASSWORD),
     ("ancien", PASSWORD), ("abîmé", PASSWORD)],
    ids=["known-right", "known-wrong", "unknown", "inactive", "corrupted-hash"],
)  # fmt: skip
def test_unknown_and_known_usernames_run_scrypt_exactly_once(
    accounts: FakeUnitOfWork, rules: Rules, scrypt_calls: list[int], username: str, password: str
) -> None:
    accounts.users.users["abîmé"] = User("abîmé", Role.CARE, "scrypt$zz$00")
    outcome(lambda: token(accounts, rules, username, password))
    assert len(scrypt_calls) == 1


def test_an_unknown_and_a_known_username_get_the_same_refusal(
    accounts: FakeUnitOfWork, rules: Rules
) -> None:
    known = outcome(lambda: token(accounts, rules, "accueil", "mauvais-mot-de-passe"))
    unknown = outcome(lambda: token(accounts, rules, "inconnu", "mauvais-mot-de-passe"))
    assert known == unknown == "401 Identifiant ou mot de passe incorrect."
    for _ in range(20):
        known = outcome(lambda: token(accounts, rules, "accueil", "mauvais-mot-de-passe"))
        unknown = outcome(lambda: token(accounts, rules, "inconnu", "mauvais-mot-de-passe"))
        assert known == unknown


def test_a_throttled_attempt_is_refused_before_any_scrypt(
    accounts: FakeUnitOfWork, rules: Rules, scrypt_calls: list[int]
) -> None:
    for _ in range(LOGIN_POLICY.account.free_failures):
        outcome(lambda: token(accounts, rules, "accueil", "mauvais-mot-de-passe"))
    scrypt_calls.clear()
    with pytest.raises(LoginThrottled) as refusal:
        token(accounts, rules, "accueil", "mauvais-mot-de-passe")
    assert scrypt_calls == [] and not refusal.value.locked
    assert (
        refusal.value.retry_after == 1 and "nouvel essai possible dans 1 s" in refusal.value.message
    )


def test_a_locked_account_is_refused_even_with_the_right_password(
    accounts: FakeUnitOfWork, rules: Rules, clock: FixedClock
) -> None:
    lock_after = LOGIN_POLICY.account.lock_failures
    for _ in range(lock_after):  # a patient attacker: each attempt once its delay passed
        assert outcome(lambda: token(accounts, rules, "accueil", "faux")).startswith("401")
        clock.advance(LOGIN_POLICY.account.max_delay)
    with pytest.raises(LoginThrottled) as refusal:
        token(accounts, rules, "accueil", PASSWORD)
    assert refusal.value.locked and refusal.value.retry_after > 13 * 60
    assert "bloquée" in refusal.value.message and "administrateur" in refusal.value.message
    assert accounts.audit.actions().count("login.locked") == 1
    clock.advance(LOGIN_POLICY.account.lock_duration)
    assert token(accounts, rules, "accueil", PASSWORD)  # the lock ran out


def test_an_administrator_lists_and_lifts_a_lock_and_both_are_audited(
    accounts: FakeUnitOfWork, rules: Rules, clock: FixedClock
) -> None:
    for _ in range(LOGIN_POLICY.account.lock_failures):
        outcome(lambda: token(accounts, rules, "accueil", "faux"))
        clock.advance(LOGIN_POLICY.account.max_delay)
    locks = login_throttle.list_locks(uow=accounts, actor=ADMIN, rules=rules)
    assert [(lock.kind, lock.key) for lock in locks] == [(ThrottleKind.ACCOUNT, "accueil")]
    login_throttle.lift_lock("account", "accueil", uow=accounts, actor=ADMIN, rules=rules)
    assert login_throttle.list_locks(uow=accounts, actor=ADMIN, rules=rules) == []
    assert token(accounts, rules, "accueil", PASSWORD)
    lifted = [e for e in accounts.audit.entries if e.action == "login.unlocked"]
    assert [(e.actor, e.details["key"], e.details["was_locked"]) for e in lifted] == [
        ("admin", "accueil", True)
    ]
    with pytest.raises(NotFound):
        login_throttle.lift_lock("account", "accueil", uow=accounts, actor=ADMIN, rules=rules)


def test_only_a_user_administrator_lists_or_lifts_locks(
    accounts: FakeUnitOfWork, rules: Rules
) -> None:
    clerk = actor_with_role(Role.IDENTITY_VIGILANCE)
    with pytest.raises(PermissionDenied):
        login_throttle.list_locks(uow=accounts, actor=clerk, rules=rules)
    with pytest.raises(PermissionDenied):
        login_throttle.lift_lock("account", "accueil", uow=accounts, actor=clerk, rules=rules)


def test_the_address_throttle_counts_failures_across_usernames(
    accounts: FakeUnitOfWork, rules: Rules
) -> None:
    free = LOGIN_POLICY.address.free_failures
    for number in range(free):
        outcome(lambda n=number: token(accounts, rules, f"essai-{n}", "faux", "10.1.2.3"))  # type: ignore[misc]
    with pytest.raises(LoginThrottled):
        token(accounts, rules, "accueil", PASSWORD, "10.1.2.3")
    assert token(accounts, rules, "accueil", PASSWORD, "10.9.9.9")  # another address


def test_a_success_forgets_the_failures_of_the_account_but_not_those_of_the_address(
    accounts: FakeUnitOfWork, rules: Rules
) -> None:
    for _ in range(2):
        outcome(lambda: token(accounts, rules, "accueil", "faux", "10.1.2.3"))
    token(accounts, rules, "accueil", PASSWORD, "10.1.2.3")
    assert accounts.login_throttles.get(ThrottleKind.ACCOUNT, "accueil") is None
    address = accounts.login_throttles.get(ThrottleKind.ADDRESS, "10.1.2.3")
    assert address is not None and address.failures == 2
