"""Strict traits and matricule of RECUP/QUAL identities change only with a permission;
a change of strict traits takes away the proofs it no longer supports (issue 11 §10)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from fakes import INS_A, INS_B, NOW, make_identity, make_traits
from identito.domain.documents import DEFAULT_DOCUMENT_TYPES, DocumentCheck
from identito.domain.errors import InvalidInput, PermissionDenied
from identito.domain.events import AuditAction
from identito.domain.identity import Identity
from identito.domain.status import IdentityStatus
from identito.domain.trait_set import RECEIVED_ENTRY

RECUP, QUAL = IdentityStatus.RETRIEVED, IdentityStatus.QUALIFIED
PROTECTED = [RECUP, QUAL]
#: QUAL loses its matricule and its document check (issue 11 §10): PROV, as RECUP.
DOWNGRADE = {RECUP: IdentityStatus.PROVISIONAL, QUAL: IdentityStatus.PROVISIONAL}
#: A typed matricule leaves the traits, so the document check stays: only the INS goes.
TYPED_DOWNGRADE = {RECUP: IdentityStatus.PROVISIONAL, QUAL: IdentityStatus.VALIDATED}

STRICT_CHANGES: list[dict[str, Any]] = [
    {"birth_name": "DUPOND"},
    {"birth_first_names": ["JEAN", "PIERRE"]},
    {"first_birth_first_name": "PIERRE"},  # not a whole first name at the start of the list
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
    """The aggregate's rules alone: the entry rules (which refuse a disagreeing first
    name when typed) are tested in test_domain_entry_rules.py."""
    traits = make_traits(entry=RECEIVED_ENTRY, **changes)
    return identity.change_traits(*traits, may_change_protected=allowed, now=NOW)


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
    assert identity.status is IdentityStatus.PROVISIONAL  # VALI loses its document check


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
    assert identity.status is TYPED_DOWNGRADE[status]
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


# -- compound first names (issue 11 §8) ----------------------------------------------------


def test_changing_a_qualified_first_name_pierre_alain_to_pierre_is_a_strict_change() -> None:
    first_names = {"birth_first_names": ["PIERRE-ALAIN", "MURIEL"]}
    identity = make_identity(QUAL, first_birth_first_name="PIERRE-ALAIN", **first_names)
    with pytest.raises(PermissionDenied):
        change(identity, {"first_birth_first_name": "PIERRE", **first_names}, allowed=False)
    assert identity.status is QUAL
    change(identity, {"first_birth_first_name": "PIERRE", **first_names}, allowed=True)
    assert (identity.status, identity.ins) == (IdentityStatus.PROVISIONAL, None)
    assert any(e.propagate for e in identity.events)


def test_pierre_alain_written_with_a_space_stays_editable_on_a_qualified_identity() -> None:
    first_names = {"birth_first_names": ["PIERRE-ALAIN", "MURIEL"]}
    identity = make_identity(QUAL, first_birth_first_name="PIERRE-ALAIN", **first_names)
    change(identity, {"first_birth_first_name": "PIERRE ALAIN", **first_names}, allowed=False)
    assert (identity.status, identity.ins) == (QUAL, INS_A)


# -- a change withdraws the document check it no longer supports (issue 11 §10) ------------


def document(expiry: date = date(2031, 1, 1)) -> DocumentCheck:
    return DocumentCheck("PA", expiry)


def change_with_document(identity: Identity, check: DocumentCheck, **changes: Any) -> None:
    identity.change_traits(
        *make_traits(**changes),
        may_change_protected=True,
        now=NOW,
        document=check,
        document_types=DEFAULT_DOCUMENT_TYPES,
        actor="agent-2",
    )


def test_a_validated_identity_whose_strict_traits_change_loses_its_document_check() -> None:
    identity = make_identity(IdentityStatus.VALIDATED)
    change(identity, {"birth_name": "DUPOND"}, allowed=False)
    assert (identity.status, identity.validation) == (IdentityStatus.PROVISIONAL, None)
    withdrawn = identity.events[-1]
    assert withdrawn.action is AuditAction.STATUS_CHANGED and withdrawn.propagate
    identity.check_invariants()


def test_a_validated_identity_stays_validated_when_a_document_is_checked_in_the_same_change() -> (
    None
):
    identity = make_identity(IdentityStatus.VALIDATED)
    change_with_document(identity, document(), birth_name="DUPOND")
    assert identity.status is IdentityStatus.VALIDATED
    assert identity.validation is not None
    assert (identity.validation.document_type, identity.validation.validated_by) == (
        "PA",
        "agent-2",
    )


def test_a_qualified_identity_changed_with_a_document_checked_again_becomes_validated() -> None:
    identity = make_identity(QUAL)
    change_with_document(identity, document(), sex="F")
    assert (identity.status, identity.ins) == (IdentityStatus.VALIDATED, None)
    identity.check_invariants()


def test_an_expired_document_in_a_change_refuses_the_whole_change() -> None:
    identity = make_identity(IdentityStatus.VALIDATED)
    before = identity.snapshot()
    with pytest.raises(InvalidInput) as error:
        change_with_document(identity, document(date(2020, 1, 1)), birth_name="DUPOND")
    assert error.value.errors[0].rule == "document_expired"
    assert (identity.snapshot(), identity.events) == (before, [])


def test_a_complementary_change_keeps_the_document_check() -> None:
    identity = make_identity(IdentityStatus.VALIDATED)
    change(identity, {"used_name": "MARTIN"}, allowed=False)
    assert identity.status is IdentityStatus.VALIDATED
