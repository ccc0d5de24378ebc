"""Strict traits and matricule of RECUP/QUAL identities change only with a permission."""

from __future__ import annotations

from typing import Any

import pytest

from fakes import INS_A, INS_B, NOW, make_identity, make_traits
from identito.domain.errors import PermissionDenied
from identito.domain.events import AuditAction
from identito.domain.identity import Identity
from identito.domain.status import IdentityStatus

RECUP, QUAL = IdentityStatus.RETRIEVED, IdentityStatus.QUALIFIED
PROTECTED = [RECUP, QUAL]
DOWNGRADE = {RECUP: IdentityStatus.PROVISIONAL, QUAL: IdentityStatus.VALIDATED}

STRICT_CHANGES: list[dict[str, Any]] = [
    {"birth_name": "DUPOND"},
    {"birth_first_names": ["JEAN", "PIERRE"]},
    {"first_birth_first_name": "PIERRE"},
    {"birth_date": "1980-03-13"},
    {"sex": "F"},
    {"birth_place_code": "2A004"},
]
COMPLEMENTARY_CHANGES: list[dict[str, Any]] = [
    {"used_name": "MARTIN"},
    {"used_first_name": "JEANNOT"},
    {"used_name": "MARTIN", "used_first_name": "JEANNOT"},
]


def change(identity: Identity, changes: dict[str, Any], *, allowed: bool) -> tuple[str, ...]:
    return identity.change_traits(*make_traits(**changes), may_change_protected=allowed, now=NOW)


@pytest.mark.parametrize("changes", STRICT_CHANGES, ids=lambda c: next(iter(c)))
@pytest.mark.parametrize("status", PROTECTED)
def test_a_strict_trait_of_a_retrieved_or_qualified_identity_needs_the_permission(
    status: IdentityStatus, changes: dict[str, Any]
) -> None:
    identity = make_identity(status)
    before = identity.snapshot()
    with pytest.raises(PermissionDenied):
        change(identity, changes, allowed=False)
    assert identity.snapshot() == before
    assert identity.events == []


@pytest.mark.parametrize("changes", STRICT_CHANGES, ids=lambda c: next(iter(c)))
@pytest.mark.parametrize("status", PROTECTED)
def test_a_permitted_strict_trait_change_invalidates_the_matricule_and_downgrades_the_status(
    status: IdentityStatus, changes: dict[str, Any]
) -> None:
    identity = make_identity(status)
    changed = change(identity, changes, allowed=True)
    assert changed == tuple(changes)
    assert identity.status is DOWNGRADE[status]
    assert (identity.ins, identity.ins_retrieved_at) == (None, None)
    assert [entry.ins for entry in identity.ins_history] == [INS_A]
    invalidated = [e for e in identity.events if e.action is AuditAction.INS_INVALIDATED]
    assert len(invalidated) == 1 and invalidated[0].propagate
    assert invalidated[0].before is not None and invalidated[0].before["ins"] is not None
    identity.check_invariants()


@pytest.mark.parametrize("changes", STRICT_CHANGES, ids=lambda c: next(iter(c)))
@pytest.mark.parametrize("status", [IdentityStatus.PROVISIONAL, IdentityStatus.VALIDATED])
def test_strict_traits_of_an_identity_without_matricule_change_without_the_permission(
    status: IdentityStatus, changes: dict[str, Any]
) -> None:
    identity = make_identity(status)
    change(identity, changes, allowed=False)
    assert identity.status is status


@pytest.mark.parametrize("changes", COMPLEMENTARY_CHANGES)
@pytest.mark.parametrize("status", list(IdentityStatus))
def test_complementary_traits_change_freely_at_every_status(
    status: IdentityStatus, changes: dict[str, Any]
) -> None:
    identity = make_identity(status)
    ins = identity.ins
    assert change(identity, changes, allowed=False) == tuple(changes)
    assert (identity.status, identity.ins) == (status, ins)


@pytest.mark.parametrize("first", ["JEAN-CHRISTOPHE", "JEAN CHRISTOPHE PIERRE"])
@pytest.mark.parametrize("status", PROTECTED)
def test_the_first_birth_first_name_stays_editable_while_it_agrees_with_the_list(
    status: IdentityStatus, first: str
) -> None:
    identity = make_identity(status)
    change(identity, {"first_birth_first_name": first}, allowed=False)
    assert identity.traits.first_birth_first_name == first
    assert (identity.status, identity.ins) == (status, INS_A)


@pytest.mark.parametrize("status", PROTECTED)
def test_typing_another_matricule_needs_the_permission_keeps_the_old_one_and_downgrades(
    status: IdentityStatus,
) -> None:
    # Changed with issue 11 (R-ST-07): a typed matricule no longer keeps RECUP/QUAL.
    identity = make_identity(status)
    with pytest.raises(PermissionDenied):
        identity.change_ins(INS_B, may_change_protected=False, now=NOW)
    assert (identity.ins, identity.ins_history) == (INS_A, ())
    identity.change_ins(INS_B, may_change_protected=True, now=NOW)
    assert identity.ins == INS_B
    assert [entry.ins for entry in identity.ins_history] == [INS_A]
    assert identity.status is DOWNGRADE[status]
    assert identity.ins_to_verify
    assert [e.action for e in identity.events] == [AuditAction.INS_CHANGED]
    assert identity.events[0].propagate


@pytest.mark.parametrize("status", [IdentityStatus.PROVISIONAL, IdentityStatus.VALIDATED])
def test_a_matricule_typed_onto_an_identity_without_one_is_held_to_verify_at_the_same_status(
    status: IdentityStatus,
) -> None:
    # Changed with issue 11: typing one is allowed (protected permission), never confirmed.
    identity = make_identity(status)
    with pytest.raises(PermissionDenied):
        identity.change_ins(INS_B, may_change_protected=False, now=NOW)
    identity.change_ins(INS_B, may_change_protected=True, now=NOW)
    assert (identity.ins, identity.status, identity.ins_to_verify) == (INS_B, status, True)
    identity.check_invariants()


@pytest.mark.parametrize("status", PROTECTED)
def test_resending_the_current_matricule_is_no_change_and_needs_no_permission(
    status: IdentityStatus,
) -> None:
    identity = make_identity(status)
    identity.change_ins(INS_A, may_change_protected=False, now=NOW)
    assert (identity.ins, identity.ins_history, identity.events) == (INS_A, (), [])
