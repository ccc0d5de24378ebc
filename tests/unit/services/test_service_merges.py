"""Merge and unmerge use cases on the fakes: permissions, storage, search and duplicates."""

from __future__ import annotations

from uuid import uuid4

import pytest

from fakes import INS_A, INS_B, FakeUnitOfWork, actor_with_role, fake_rules, make_identity
from identito.domain.errors import InvalidTransition, NotFound, PermissionDenied
from identito.domain.events import AuditAction
from identito.domain.permissions import Permission, Role
from identito.domain.status import IdentityStatus
from identito.services.duplicates import find_duplicates
from identito.services.identities import search_identities
from identito.services.merges import check_merge, merge_identities, unmerge

VIGILANCE = actor_with_role(Role.IDENTITY_VIGILANCE)


def _stored(*identities):
    uow = FakeUnitOfWork()
    for identity in identities:
        uow.identities.committed[identity.id] = identity
    return uow


def test_only_identity_vigilance_and_admin_hold_the_merge_permission():
    holders = {r for r in Role if actor_with_role(r).can(Permission.IDENTITY_MERGE)}

    assert holders == {Role.ADMIN, Role.IDENTITY_VIGILANCE}


@pytest.mark.parametrize("role", [Role.ADMISSION, Role.CARE, Role.STATISTICS])
def test_other_roles_may_neither_merge_nor_unmerge(role):
    survivor, merged = make_identity(), make_identity()
    uow, rules = _stored(survivor, merged), fake_rules()
    record = merge_identities(survivor.id, merged.id, uow=uow, actor=VIGILANCE, rules=rules)

    with pytest.raises(PermissionDenied):
        merge_identities(survivor.id, merged.id, uow=uow, actor=actor_with_role(role), rules=rules)
    with pytest.raises(PermissionDenied):
        unmerge(record.id, uow=uow, actor=actor_with_role(role), rules=rules)


def test_a_merge_is_stored_with_its_audit_rows_and_undone_by_unmerge():
    survivor, merged = make_identity(IdentityStatus.QUALIFIED), make_identity()
    uow, rules = _stored(survivor, merged), fake_rules()

    record = merge_identities(survivor.id, merged.id, uow=uow, actor=VIGILANCE, rules=rules)

    assert uow.merges.committed[record.id] == record
    assert uow.stored(merged.id).merged_into == survivor.id
    assert not uow.stored(merged.id).active
    assert uow.audit.actions(merged.id) == [AuditAction.IDENTITY_MERGED.value]
    assert uow.audit.actions(survivor.id) == [AuditAction.IDENTITY_MERGED.value]

    undone = unmerge(record.id, uow=uow, actor=VIGILANCE, rules=rules)

    assert uow.merges.committed[record.id] == undone and undone.undone_by == VIGILANCE.username
    assert uow.stored(merged.id).active and uow.stored(merged.id).merged_into is None
    assert uow.stored(merged.id).snapshot() == record.snapshot
    assert uow.audit.actions(merged.id)[-1] == AuditAction.IDENTITY_UNMERGED.value


def test_a_refused_merge_changes_nothing():
    survivor = make_identity(IdentityStatus.RETRIEVED, ins=INS_A)
    merged = make_identity(IdentityStatus.RETRIEVED, ins=INS_B)
    uow = _stored(survivor, merged)

    with pytest.raises(InvalidTransition):
        merge_identities(survivor.id, merged.id, uow=uow, actor=VIGILANCE, rules=fake_rules())

    assert uow.stored(merged.id).active and not uow.merges.committed and not uow.audit.entries


def test_an_unknown_merge_cannot_be_undone():
    with pytest.raises(NotFound):
        unmerge(uuid4(), uow=FakeUnitOfWork(), actor=VIGILANCE, rules=fake_rules())


def test_an_inactive_identity_is_left_out_of_the_search_and_of_duplicates():
    local, survivor, merged = make_identity(), make_identity(), make_identity()
    uow, rules = _stored(local, survivor, merged), fake_rules()
    merge_identities(survivor.id, merged.id, uow=uow, actor=VIGILANCE, rules=rules)

    found = search_identities(birth_date="1980-03-12", uow=uow, actor=VIGILANCE, rules=rules)
    duplicates = find_duplicates(local.id, uow=uow, actor=VIGILANCE, rules=rules)

    assert {i.id for i in found} == {local.id, survivor.id}
    assert {d.identity.id for d in duplicates} == {survivor.id}


def test_checking_a_merge_raises_its_refusal_and_saves_nothing():
    survivor = make_identity(IdentityStatus.RETRIEVED, ins=INS_A)
    other = make_identity(IdentityStatus.RETRIEVED, ins=INS_B)
    possible = make_identity()
    uow, rules = _stored(survivor, other, possible), fake_rules()

    with pytest.raises(InvalidTransition):
        check_merge(survivor.id, other.id, uow=uow, actor=VIGILANCE, rules=rules)
    check_merge(survivor.id, possible.id, uow=uow, actor=VIGILANCE, rules=rules)
    with pytest.raises(PermissionDenied):
        check_merge(survivor.id, possible.id, uow=uow, actor=actor_with_role(Role.ADMISSION),
                    rules=rules)  # fmt: skip

    assert uow.stored(possible.id).active and not uow.merges.committed
    assert not uow.audit.entries and uow.commits == 0
