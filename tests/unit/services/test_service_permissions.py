"""Every role on every use case: allowed, or ``PermissionDenied`` with nothing changed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from uuid import UUID

import pytest

from fakes import (
    INS_B,
    NOW,
    FakeUnitOfWork,
    actor_with_role,
    fake_rules,
    identity_input,
    make_identity,
    other_ins,
)
from identito.domain.errors import PermissionDenied
from identito.domain.identifiers import Oid
from identito.domain.permissions import Actor, Permission, Role, role_permissions
from identito.domain.status import IdentityStatus
from identito.services import auth
from identito.services import identities as uc
from identito.services.auth import SYSTEM
from identito.services.rules import Rules

ADMIN, VIGILANCE, ADMISSION, CARE, STATISTICS = (
    Role.ADMIN,
    Role.IDENTITY_VIGILANCE,
    Role.ADMISSION,
    Role.CARE,
    Role.STATISTICS,
)


@dataclass
class World:
    uow: FakeUnitOfWork
    rules: Rules
    ids: dict[IdentityStatus, UUID]


UseCase = Callable[[World, Actor], object]
NEW_INS = {"number": INS_B.number.number, "oid": Oid.NIR.value}


def _update(status: IdentityStatus, changes: dict[str, object]) -> UseCase:
    return lambda w, a: uc.update_identity(
        w.ids[status], 1, changes, uow=w.uow, actor=a, rules=w.rules
    )


#: use case -> roles allowed by issue 2 §6 (not derived from the code under test).
MATRIX: dict[str, tuple[UseCase, set[Role]]] = {
    "create": (
        lambda w, a: uc.create_identity(  # another person than the world's (issue 12)
            identity_input(birth_name="NOUVEAU"), uow=w.uow, actor=a, rules=w.rules
        ),
        {ADMIN, VIGILANCE, ADMISSION},
    ),
    "read": (
        lambda w, a: uc.get_identity(
            w.ids[IdentityStatus.QUALIFIED], uow=w.uow, actor=a, rules=w.rules
        ),
        {ADMIN, VIGILANCE, ADMISSION, CARE},
    ),
    "search": (
        lambda w, a: uc.search_identities(
            birth_date="1980-03-12", uow=w.uow, actor=a, rules=w.rules
        ),
        {ADMIN, VIGILANCE, ADMISSION, CARE},
    ),
    "search-by-matricule": (
        lambda w, a: uc.search_identities(
            ins=INS_B.number.number, uow=w.uow, actor=a, rules=w.rules
        ),
        {ADMIN, VIGILANCE, ADMISSION, CARE},
    ),
    "update-complementary-of-qualified": (
        _update(IdentityStatus.QUALIFIED, {"used_name": "MARTIN"}),
        {ADMIN, VIGILANCE, ADMISSION},
    ),
    "update-strict-of-provisional": (
        _update(IdentityStatus.PROVISIONAL, {"birth_name": "DUPOND"}),
        {ADMIN, VIGILANCE, ADMISSION},
    ),
    "update-strict-of-validated": (
        _update(IdentityStatus.VALIDATED, {"sex": "F"}),
        {ADMIN, VIGILANCE, ADMISSION},
    ),
    "update-strict-of-retrieved": (
        _update(IdentityStatus.RETRIEVED, {"birth_date": "1980-03-13"}),
        {ADMIN, VIGILANCE},
    ),
    "update-strict-of-qualified": (
        _update(IdentityStatus.QUALIFIED, {"birth_name": "DUPOND"}),
        {ADMIN, VIGILANCE},
    ),
    "update-matricule-of-retrieved": (
        _update(IdentityStatus.RETRIEVED, {"ins": NEW_INS}),
        {ADMIN, VIGILANCE},
    ),
    "remove-matricule-of-qualified": (
        _update(IdentityStatus.QUALIFIED, {"ins": None}),
        {ADMIN, VIGILANCE},
    ),
    "attributes": (
        lambda w, a: uc.change_attributes(
            w.ids[IdentityStatus.PROVISIONAL], add=["HOMA"], uow=w.uow, actor=a, rules=w.rules
        ),
        {ADMIN, VIGILANCE, ADMISSION},
    ),
    "validate": (
        lambda w, a: uc.validate_identity(
            w.ids[IdentityStatus.RETRIEVED],
            document_type="CN",
            document_expiry=date(2031, 1, 1),
            uow=w.uow,
            actor=a,
            rules=w.rules,
        ),
        {ADMIN, VIGILANCE, ADMISSION},
    ),
    "audit": (
        lambda w, a: uc.identity_audit(
            w.ids[IdentityStatus.PROVISIONAL], uow=w.uow, actor=a, rules=w.rules
        ),
        {ADMIN, VIGILANCE},
    ),
    "add-user": (
        lambda w, a: auth.add_user(
            "nouvelle", "mot-de-passe-valide", "care", uow=w.uow, actor=a, rules=w.rules
        ),
        {ADMIN},
    ),
}
CASES = [(name, role) for name in MATRIX for role in Role]


@pytest.fixture
def world() -> World:
    uow = FakeUnitOfWork()
    ids = {}
    with uow:
        for serial, status in enumerate(IdentityStatus, start=1):
            identity = make_identity(status, ins=other_ins(serial))  # one holder each (R-DU-03)
            uow.identities.add(identity)
            ids[status] = identity.id
        uow.commit(SYSTEM, NOW)
    uow.audit.entries.clear()
    return World(uow, fake_rules(), ids)


@pytest.mark.parametrize(("use_case", "role"), CASES, ids=[f"{u}-{r}" for u, r in CASES])
def test_every_role_is_allowed_or_denied_each_use_case_as_the_issue_says(
    world: World, use_case: str, role: Role
) -> None:
    call, allowed = MATRIX[use_case]
    actor = actor_with_role(role)
    if role in allowed:
        call(world, actor)
        return
    before = {i: world.uow.stored(i).snapshot() for i in world.ids.values()}
    with pytest.raises(PermissionDenied):
        call(world, actor)
    assert {i: world.uow.stored(i).snapshot() for i in world.ids.values()} == before
    assert world.uow.audit.entries == []
    assert len(world.uow.identities.committed) == len(before)


def test_statistics_may_do_nothing_on_identities() -> None:
    identity_permissions = {
        p for p in Permission if p.value.split(":")[0] in {"identity", "ins", "insi", "audit"}
    }
    assert not role_permissions(Role.STATISTICS) & identity_permissions


def test_admission_cannot_change_strict_traits_of_a_qualified_identity_but_identity_vigilance_can(
    world: World,
) -> None:
    identity_id = world.ids[IdentityStatus.QUALIFIED]
    with pytest.raises(PermissionDenied):
        uc.update_identity(
            identity_id,
            1,
            {"sex": "F"},
            uow=world.uow,
            actor=actor_with_role(ADMISSION),
            rules=world.rules,
        )
    assert world.uow.stored(identity_id).status is IdentityStatus.QUALIFIED
    updated = uc.update_identity(
        identity_id,
        1,
        {"sex": "F"},
        uow=world.uow,
        actor=actor_with_role(VIGILANCE),
        rules=world.rules,
    )
    assert (updated.status, updated.ins) == (IdentityStatus.PROVISIONAL, None)  # issue 11 §10
    actions = [e.action for e in world.uow.audit.entries]
    assert actions == [
        "identity.traits_changed",
        "identity.ins_invalidated",
        "identity.status_changed",  # the document check is withdrawn
    ]
    assert world.uow.audit.entries[-1].details["propagate"] is True


def test_roles_are_overridable_by_configuration(world: World) -> None:
    overrides = {
        "care": ["identity:search"],
        "admission": [*role_permissions(ADMISSION), "identity:update-protected"],
    }
    care = Actor("soignant", CARE, role_permissions(CARE, overrides))
    admission = Actor("accueil", ADMISSION, role_permissions(ADMISSION, overrides))
    assert role_permissions(VIGILANCE, overrides) == role_permissions(VIGILANCE)
    uc.search_identities(birth_date="1980-03-12", uow=world.uow, actor=care, rules=world.rules)
    with pytest.raises(PermissionDenied):
        uc.get_identity(
            world.ids[IdentityStatus.PROVISIONAL], uow=world.uow, actor=care, rules=world.rules
        )
    uc.update_identity(
        world.ids[IdentityStatus.QUALIFIED],
        1,
        {"sex": "F"},
        uow=world.uow,
        actor=admission,
        rules=world.rules,
    )


def test_a_reader_without_the_matricule_permission_leaves_no_read_row(world: World) -> None:
    reader = Actor("lecteur", CARE, frozenset({Permission.IDENTITY_READ}))
    uc.get_identity(
        world.ids[IdentityStatus.QUALIFIED], uow=world.uow, actor=reader, rules=world.rules
    )
    assert world.uow.audit.entries == []
