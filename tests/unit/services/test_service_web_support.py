"""Services behind the web application: sessions, indicators, previews, user administration."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fakes import (
    IDENTITY_INPUT,
    FakeUnitOfWork,
    FixedClock,
    actor_with_role,
    identity_input,
    make_identity,
)
from fakes_login import LOGIN_POLICY
from identito.domain.errors import InvalidInput, PermissionDenied
from identito.domain.events import AuditAction
from identito.domain.permissions import Role
from identito.domain.status import IdentityStatus
from identito.services import auth, identities, indicators, previews, sessions
from identito.services.login_throttle import LoginAttempt
from identito.services.rules import Rules
from identito.services.unit_of_work import AuditEntry

ADMIN = actor_with_role(Role.ADMIN, "admin")
ADMISSION = actor_with_role(Role.ADMISSION)
VIGILANCE = actor_with_role(Role.IDENTITY_VIGILANCE)
POLICY = sessions.SessionPolicy(idle=timedelta(minutes=30), absolute=timedelta(hours=10))


@pytest.fixture
def accounts(uow: FakeUnitOfWork, rules: Rules) -> FakeUnitOfWork:
    auth.add_user("accueil", "mot-de-passe-1", "admission", uow=uow, actor=ADMIN, rules=rules)
    return uow


# -- sessions -------------------------------------------------------------------------


def open_session(uow: FakeUnitOfWork, rules: Rules, password: str) -> sessions.OpenedSession:
    return sessions.open_session(
        LoginAttempt("accueil"), password, uow=uow, rules=rules, policy=POLICY,
        throttle=LOGIN_POLICY,
    )  # fmt: skip


def test_a_session_stores_only_the_hash_of_its_token(
    accounts: FakeUnitOfWork, rules: Rules
) -> None:
    opened = open_session(accounts, rules, "mot-de-passe-1")
    assert opened.token not in accounts.sessions.sessions
    assert sessions.token_hash(opened.token) in accounts.sessions.sessions
    assert opened.actor.role is Role.ADMISSION
    assert "session.opened" in accounts.audit.actions()


def test_a_wrong_password_opens_no_session(accounts: FakeUnitOfWork, rules: Rules) -> None:
    with pytest.raises(auth.AuthenticationFailed):
        open_session(accounts, rules, "faux-mot-de-passe")
    assert accounts.sessions.sessions == {}


def test_a_session_expires_when_idle_and_at_its_absolute_limit(
    accounts: FakeUnitOfWork, rules: Rules, clock: FixedClock
) -> None:
    opened = open_session(accounts, rules, "mot-de-passe-1")
    clock.advance(timedelta(minutes=29))
    current = sessions.session_actor(opened.token, uow=accounts, rules=rules, policy=POLICY)
    assert current.csrf_token == opened.csrf_token
    clock.advance(timedelta(minutes=31))
    with pytest.raises(sessions.SessionExpired):
        sessions.session_actor(opened.token, uow=accounts, rules=rules, policy=POLICY)
    assert accounts.sessions.sessions == {}  # the expired session is deleted


def test_a_deactivated_user_loses_every_session(accounts: FakeUnitOfWork, rules: Rules) -> None:
    opened = open_session(accounts, rules, "mot-de-passe-1")
    auth.change_user("accueil", active=False, uow=accounts, actor=ADMIN, rules=rules)
    with pytest.raises(sessions.SessionExpired):
        sessions.session_actor(opened.token, uow=accounts, rules=rules, policy=POLICY)


def test_the_csrf_check_needs_the_exact_token() -> None:
    assert sessions.csrf_matches("abc", "abc")
    assert not sessions.csrf_matches("abc", "abd")
    assert not sessions.csrf_matches("abc", None)
    assert not sessions.csrf_matches("abc", "")


# -- user administration ----------------------------------------------------------------


def test_an_administrator_changes_a_role_and_it_is_audited(
    accounts: FakeUnitOfWork, rules: Rules
) -> None:
    user = auth.change_user("accueil", role="care", uow=accounts, actor=ADMIN, rules=rules)
    assert user.role is Role.CARE and accounts.users.get("accueil").role is Role.CARE  # type: ignore[union-attr]
    entry = accounts.audit.entries[-1]
    assert (entry.action, entry.before, entry.after) == (
        "user.changed",
        {"username": "accueil", "role": "admission", "active": True},
        {"username": "accueil", "role": "care", "active": True},
    )


def test_user_administration_needs_the_permission_and_never_targets_oneself(
    accounts: FakeUnitOfWork, rules: Rules
) -> None:
    with pytest.raises(PermissionDenied):
        auth.change_user("accueil", role="admin", uow=accounts, actor=ADMISSION, rules=rules)
    with pytest.raises(PermissionDenied):
        auth.list_users(uow=accounts, actor=ADMISSION)
    with pytest.raises(InvalidInput):
        auth.change_user("admin", active=False, uow=accounts, actor=ADMIN, rules=rules)
    with pytest.raises(InvalidInput):
        auth.change_user("accueil", role="chef", uow=accounts, actor=ADMIN, rules=rules)


def test_a_user_creation_is_audited(accounts: FakeUnitOfWork) -> None:
    assert AuditAction.USER_CREATED in accounts.audit.actions()


# -- indicators ---------------------------------------------------------------------------


def _entry(before: dict | None, after: dict | None, at: datetime) -> AuditEntry:  # type: ignore[type-arg]
    return AuditEntry("x", at, AuditAction.STATUS_CHANGED, make_identity().id, before, after)


def test_audit_rows_become_net_monthly_changes_of_the_counts() -> None:
    march, april = datetime(2026, 3, 5, tzinfo=UTC), datetime(2026, 4, 2, tzinfo=UTC)
    prov = {"status": "PROV", "attributes": []}
    deltas = indicators.indicator_deltas(
        [
            _entry(None, prov, march),  # created
            _entry(prov, {"status": "VALI", "attributes": []}, april),  # validated
            _entry(prov, {"status": "PROV", "attributes": ["HOMA"]}, april),  # HOMA set
            _entry(prov, prov, april),  # a trait change: nothing to count
            AuditEntry("x", april, AuditAction.IDENTITY_READ, None),
        ]
    )
    assert deltas == {
        ("2026-03", "status", "PROV"): 1,
        ("2026-04", "status", "PROV"): -1,
        ("2026-04", "status", "VALI"): 1,
        ("2026-04", "attribute", "HOMA"): 1,
    }


def test_indicators_count_statuses_now_and_at_the_end_of_each_month(
    uow: FakeUnitOfWork, rules: Rules, clock: FixedClock
) -> None:
    for name in ("DUPONT", "DURAND", "MARTIN"):
        identities.create_identity(
            identity_input(birth_name=name), uow=uow, actor=ADMISSION, rules=rules
        )
    clock.advance(timedelta(days=40))
    created = identities.search_identities(
        birth_date=IDENTITY_INPUT["birth_date"],
        name="DUPONT",
        uow=uow,
        actor=ADMISSION,
        rules=rules,
    )[0]
    identities.validate_identity(
        created.id, document_type="CN", document_expiry=datetime(2031, 1, 1).date(),
        uow=uow, actor=ADMISSION, rules=rules,
    )  # fmt: skip
    identities.change_attributes(created.id, add=["HOMA"], uow=uow, actor=ADMISSION, rules=rules)
    stats = actor_with_role(Role.STATISTICS)
    result = indicators.read_indicators(uow=uow, actor=stats, rules=rules)
    assert len(result.months) == 12 and result.months[-1] is result.current
    counts = {s.code: s.count for s in result.current.statuses}
    assert counts == {"PROV": 2, "RECUP": 0, "VALI": 1, "QUAL": 0}
    assert result.current.total == 3
    assert {s.code: s.count for s in result.current.attributes}["HOMA"] == 1
    previous = result.months[-2]
    assert {s.code: s.count for s in previous.statuses}["PROV"] == 3
    assert round(sum(s.share for s in result.current.statuses), 6) == 1.0
    with pytest.raises(PermissionDenied):
        indicators.read_indicators(uow=uow, actor=ADMISSION, rules=rules)


def test_the_last_months_cross_the_new_year() -> None:
    assert indicators.last_months(datetime(2026, 2, 1).date(), 3) == [
        "2025-12",
        "2026-01",
        "2026-02",
    ]


# -- previews -------------------------------------------------------------------------------


def _stored(uow: FakeUnitOfWork, status: IdentityStatus) -> object:
    identity = make_identity(status)
    uow.identities.committed[identity.id] = identity
    return identity


def test_a_preview_of_a_strict_trait_change_tells_the_downgrade_and_saves_nothing(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    identity = _stored(uow, IdentityStatus.QUALIFIED)
    preview = previews.preview_update(
        identity.id,
        identity.version,
        {"birth_name": "DUPOND"},
        uow=uow,
        actor=VIGILANCE,
        rules=rules,  # type: ignore[attr-defined]
    )
    assert preview.status_after is IdentityStatus.PROVISIONAL and preview.ins_invalidated
    assert preview.validation_removed  # the document check is withdrawn too (issue 11 §10)
    assert preview.needs_confirmation and preview.changed
    stored = uow.stored(identity.id)  # type: ignore[attr-defined]
    assert stored.status is IdentityStatus.QUALIFIED and stored.traits.birth_name == "DUPONT"
    assert uow.audit.entries == []


def test_a_preview_of_a_complementary_trait_needs_no_confirmation(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    identity = _stored(uow, IdentityStatus.QUALIFIED)
    preview = previews.preview_update(
        identity.id,
        identity.version,
        {"used_name": "MARTIN"},
        uow=uow,
        actor=ADMISSION,
        rules=rules,  # type: ignore[attr-defined]
    )
    assert not preview.needs_confirmation and preview.changed


def test_a_preview_of_doubtful_tells_the_loss_of_the_ins_and_of_the_validation(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    identity = _stored(uow, IdentityStatus.QUALIFIED)
    preview = previews.preview_attributes(
        identity.id, add=["DOUT"], uow=uow, actor=ADMISSION, rules=rules
    )  # type: ignore[attr-defined]
    assert preview.status_after is IdentityStatus.PROVISIONAL
    assert preview.ins_invalidated and preview.validation_removed
    assert uow.stored(identity.id).attributes == frozenset()  # type: ignore[attr-defined]


def test_strict_traits_of_an_identity_with_ins_are_locked_for_admission_only() -> None:
    qualified, provisional = make_identity(IdentityStatus.QUALIFIED), make_identity()
    assert "birth_name" in previews.locked_fields(qualified, ADMISSION)
    assert previews.locked_fields(qualified, VIGILANCE) == frozenset()
    assert previews.locked_fields(provisional, ADMISSION) == frozenset()
