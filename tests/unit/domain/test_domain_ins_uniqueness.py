"""R-DU-03 at the domain level: two active identities never hold the same matricule."""

from __future__ import annotations

import pytest

from fakes import INS_A, INS_B, NOW, make_identity
from identito.domain.errors import InvalidTransition
from identito.domain.identifiers import Ins, Oid
from identito.domain.ins_uniqueness import (
    InsAlreadyHeld,
    ensure_sole_holder,
    holds,
    must_hold_alone,
)
from identito.domain.status import CollisionLevel, IdentityStatus


def test_an_identity_whose_matricule_another_active_identity_holds_is_refused() -> None:
    identity = make_identity(IdentityStatus.RETRIEVED, ins=INS_A)
    holder = make_identity(IdentityStatus.QUALIFIED, ins=INS_A)
    with pytest.raises(InsAlreadyHeld) as raised:
        ensure_sole_holder(identity, [holder.id])
    error = raised.value
    assert isinstance(error, InvalidTransition)
    assert error.rule == "ins_already_held"
    assert error.holders == (holder.id,) and error.identity_id == identity.id
    assert INS_A.number.number in error.message and str(holder.id) in error.message
    assert "déjà porté" in error.message


def test_the_identity_itself_among_the_holders_is_not_a_conflict() -> None:
    identity = make_identity(IdentityStatus.RETRIEVED, ins=INS_A)
    ensure_sole_holder(identity, [identity.id])


def test_an_identity_without_matricule_has_nothing_to_hold_alone() -> None:
    identity = make_identity(IdentityStatus.PROVISIONAL)
    other = make_identity(IdentityStatus.RETRIEVED, ins=INS_A)
    assert not must_hold_alone(identity)
    ensure_sole_holder(identity, [other.id])


def test_an_identity_in_declared_collision_may_share_its_matricule_until_resolved() -> None:
    identity = make_identity(IdentityStatus.RETRIEVED, ins=INS_A)
    identity.declare_collision(CollisionLevel.POTENTIAL, now=NOW, note=None)
    holder = make_identity(IdentityStatus.RETRIEVED, ins=INS_A)
    ensure_sole_holder(identity, [holder.id])
    identity.resolve_collision(now=NOW, note=None)
    with pytest.raises(InsAlreadyHeld):
        ensure_sole_holder(identity, [holder.id])


def test_a_merged_identity_neither_holds_nor_must_hold_alone() -> None:
    merged = make_identity(IdentityStatus.RETRIEVED, ins=INS_A)
    merged.active, merged.merged_into = False, make_identity().id
    assert not holds(merged, INS_A)
    assert not must_hold_alone(merged)


def test_a_holder_holds_the_same_number_under_the_same_oid_only() -> None:
    holder = make_identity(IdentityStatus.RETRIEVED, ins=INS_A)
    same_number_nia = Ins.parse(INS_A.number.number, Oid.NIA.value)
    assert holds(holder, INS_A)
    assert not holds(holder, INS_B)
    assert not holds(holder, same_number_nia)
