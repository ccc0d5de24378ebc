"""No change to an inactive (merged) identity: every mutating method refuses it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from uuid import uuid4

import pytest

from fakes import INS_A, INS_B, NOW, make_identity, make_traits
from identito.domain.documents import DEFAULT_DOCUMENT_TYPES, Validation
from identito.domain.errors import InvalidTransition
from identito.domain.identity import Identity
from identito.domain.insi import InsiAnswer
from identito.domain.merges import merge, unmerge
from identito.domain.nss import Nss, NssHolder, NssOid
from identito.domain.status import CollisionLevel, IdentityAttribute, IdentityStatus

LATER = NOW + timedelta(hours=1)
ANSWER = InsiAnswer("DUPONT", "JEAN CHRISTOPHE PIERRE", "M", "1980-03-12", "2B020",
                    INS_A.number.number, INS_A.oid.value)  # fmt: skip

CHANGES: dict[str, Callable[[Identity], object]] = {
    "change_traits": lambda i: i.change_traits(
        *make_traits(birth_name="DURAND"), may_change_protected=True, now=LATER
    ),
    "record_ins_retrieval": lambda i: i.record_ins_retrieval(INS_A, now=LATER),
    "integrate_insi": lambda i: i.integrate_insi(
        ANSWER, called_at=LATER, now=LATER, allow_test_oids=False
    ),
    "change_ins": lambda i: i.change_ins(INS_B, may_change_protected=True, now=LATER),
    "invalidate_ins": lambda i: i.invalidate_ins(reason="test", now=LATER),
    "qualify_in_domain": lambda i: i.qualify_in_domain(
        INS_A, Validation("CN", None, LATER, "DPI"), now=LATER
    ),
    "validate": lambda i: i.validate(
        "CN", date(2031, 1, 1), document_types=DEFAULT_DOCUMENT_TYPES, actor="iv", now=LATER
    ),
    "change_attributes": lambda i: i.change_attributes([IdentityAttribute.HOMONYM], [], now=LATER),
    "declare_collision": lambda i: i.declare_collision(CollisionLevel.POTENTIAL, now=LATER),
    "resolve_collision": lambda i: i.resolve_collision(now=LATER),
    "ensure_insi_call_allowed": lambda i: i.ensure_insi_call_allowed(),
    "ensure_insi_traits_call_allowed": lambda i: i.ensure_insi_traits_call_allowed(),
    "record_verification_ok": lambda i: i.record_verification_ok(called_at=LATER, now=LATER),
    "take_domain_status": lambda i: i.take_domain_status(
        False, Validation("CN", None, LATER, "DPI"), now=LATER
    ),
    "change_nss": lambda i: i.change_nss(
        Nss("279035121518989", NssOid.NIR, NssHolder.PATIENT), now=LATER
    ),
    "mark_linked_in_other_domain": lambda i: i.mark_linked_in_other_domain(
        now=LATER, sender="GAM^CH-Y"
    ),
}


def _merged(status: IdentityStatus = IdentityStatus.RETRIEVED) -> tuple[Identity, Identity]:
    survivor, merged = make_identity(IdentityStatus.QUALIFIED), make_identity(status)
    merge(survivor, merged, actor="iv", now=NOW)
    merged.pop_events()
    return survivor, merged


@pytest.mark.parametrize("method", sorted(CHANGES))
def test_every_mutating_method_refuses_an_inactive_identity_in_french(method: str) -> None:
    _, merged = _merged()
    before = merged.snapshot()

    with pytest.raises(InvalidTransition, match="fusionnée dans une autre") as raised:
        CHANGES[method](merged)

    assert raised.value.rule == "identity_inactive"
    assert merged.snapshot() == before and merged.events == []


def test_a_merged_identity_cannot_be_merged_again() -> None:
    survivor, merged = _merged()

    with pytest.raises(InvalidTransition, match="déjà fusionnée"):
        merge(survivor, merged, actor="iv", now=LATER)
    with pytest.raises(InvalidTransition, match="déjà fusionnée"):
        merge(merged, make_identity(), actor="iv", now=LATER)


def test_the_unmerge_still_restores_an_inactive_identity_which_may_then_change() -> None:
    survivor, merged = make_identity(IdentityStatus.QUALIFIED), make_identity()
    record = merge(survivor, merged, actor="iv", now=NOW)
    with pytest.raises(InvalidTransition):
        merged.change_attributes([IdentityAttribute.HOMONYM], [], now=LATER)

    unmerge(record, survivor, merged, actor="iv", now=LATER)
    merged.change_attributes([IdentityAttribute.HOMONYM], [], now=LATER)

    assert merged.active and merged.attributes == {IdentityAttribute.HOMONYM}


def test_every_mutating_method_is_covered_by_the_inactive_rule() -> None:
    public = {
        name
        for name in dir(Identity)
        if not name.startswith("_") and callable(getattr(Identity, name))
    }
    queries = {"snapshot", "check_invariants", "pop_events", "with_version"}
    constructors = {"create", "import_row"}  # a new identity: nothing to be inactive yet
    merge_methods = {"merge_into", "unmerge"}  # their own rules (merge_inactive, not_merged)

    assert public - queries - constructors - merge_methods == set(CHANGES)


def test_an_unknown_survivor_id_changes_nothing_of_an_active_identity() -> None:
    identity = make_identity()

    with pytest.raises(InvalidTransition, match="pas fusionnée"):
        identity.unmerge(identity.snapshot(), make_identity(), merge_id=uuid4(), now=LATER)
    assert identity.active
