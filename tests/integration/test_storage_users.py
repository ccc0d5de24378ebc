"""Users and API tokens through the auth services, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from fakes_login import LOGIN_POLICY
from identito.adapters.unit_of_work import SqlUnitOfWork
from identito.domain.errors import InvalidInput
from identito.domain.events import AuditAction
from identito.domain.permissions import Permission, Role
from identito.services.auth import (
    SYSTEM,
    AuthenticationFailed,
    actor_for_token,
    add_user,
    issue_token,
)
from identito.services.login_throttle import LoginAttempt
from identito.services.unit_of_work import Token, User


def test_a_user_is_stored_and_listed(uow_factory, rules, admin):
    add_user("a.leroy", "secret-password", "admission", uow=uow_factory(), actor=admin, rules=rules)
    add_user("b.petit", "secret-password", "care", uow=uow_factory(), actor=admin, rules=rules)

    with uow_factory() as uow:
        user = uow.users.get("a.leroy")
        listed = [u.username for u in uow.users.list()]
    assert user is not None and user.role is Role.ADMISSION and user.active
    assert user.password_hash.startswith("scrypt$")
    assert listed == ["a.leroy", "b.petit"]


def test_a_username_is_taken_only_once(uow_factory, rules, admin):
    add_user("a.leroy", "secret-password", "admission", uow=uow_factory(), actor=admin, rules=rules)
    with pytest.raises(InvalidInput, match="existe déjà"):
        add_user("a.leroy", "other-password", "care", uow=uow_factory(), actor=admin, rules=rules)


def test_an_unknown_user_is_none(uow_factory):
    with uow_factory() as uow:
        assert uow.users.get("nobody") is None
        assert uow.users.get_token("0" * 64) is None


def test_a_token_issued_to_a_user_identifies_them_until_it_expires(uow_factory, rules, admin):
    add_user("a.leroy", "secret-password", "admission", uow=uow_factory(), actor=admin, rules=rules)
    token = issue_token(
        LoginAttempt("a.leroy"), "secret-password", uow=uow_factory(), rules=rules,
        ttl=timedelta(hours=1), policy=LOGIN_POLICY,
    )  # fmt: skip

    actor = actor_for_token(token, uow=uow_factory(), rules=rules)
    assert actor.username == "a.leroy"
    assert actor.can(Permission.IDENTITY_CREATE)

    rules.clock.current += timedelta(hours=2)  # type: ignore[attr-defined]
    with pytest.raises(AuthenticationFailed):
        actor_for_token(token, uow=uow_factory(), rules=rules)


def test_a_stored_token_keeps_its_expiry_in_utc(uow_factory, admin):
    expires = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
    with uow_factory() as uow:
        uow.users.add(User("c.roux", Role.CARE, "scrypt$00$00"))
        uow.users.add_token(Token("ab" * 32, "c.roux", expires))
        uow.commit(admin, expires)

    with uow_factory() as uow:
        assert uow.users.get_token("ab" * 32) == Token("ab" * 32, "c.roux", expires)


def test_preferences_are_stored_in_the_database_and_their_changes_audited(
    uow_factory: Callable[[], SqlUnitOfWork],
) -> None:
    from sqlalchemy import select

    from identito.adapters.orm import audit_log
    from identito.services.preferences import (
        get_preferences,
        update_preferences,
    )
    from identito.services.rules import Rules

    class NoPlaces:
        def check_birth_place(self, code: str, on: object) -> None:
            return None

    rules = Rules(places=NoPlaces())
    for threshold in (0.8, 0.85):
        update_preferences(
            {"similarity_threshold": threshold}, uow=uow_factory(), actor=SYSTEM, rules=rules
        )
    prefs = get_preferences(uow=uow_factory(), actor=SYSTEM, rules=rules)
    assert prefs.similarity_threshold == 0.85
    with uow_factory() as uow:
        query = select(audit_log.c.after).where(audit_log.c.action == AuditAction.SETTINGS_CHANGED)
        afters = [row[0] for row in uow.identities.connection.execute(query)]
    assert sorted(a["similarity_threshold"] for a in afters) == [0.8, 0.85]
