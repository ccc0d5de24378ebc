"""Potential duplicates recorded by every single-identity flow that creates an identity
or changes its traits: INSi creation and integration, reception, the vigilance worklist."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from fakes import (
    IDENTITY_INPUT,
    INS_A,
    FakeTeleservice,
    FakeUnitOfWork,
    actor_with_role,
    fake_rules,
    identity_input,
    insi_person,
    make_identity,
)
from identito.domain.duplicate_reviews import DuplicateReview, Source
from identito.domain.identity import Identity
from identito.domain.permissions import Role
from identito.services import insi
from identito.services.identities import validate_identity
from identito.services.insi_records import Decision
from identito.services.reception import (
    ReceivedIdentity,
    Reception,
    ReceptionResult,
    Sender,
    TransmittedIns,
    receive_identity,
)
from identito.services.rules import Rules
from identito.services.verification_records import EntryKind, VigilanceEntry
from identito.services.vigilance import resolve_entry

ADMISSION = actor_with_role(Role.ADMISSION)
ADMIN = actor_with_role(Role.ADMIN)
OWN, OTHER = Sender("OWNAPP", "CHU-X"), Sender("GAM", "CHU-Y")


@pytest.fixture
def rules() -> Rules:
    return fake_rules(allow_test_oids=True)


def _stored(uow: FakeUnitOfWork, *identities: Identity) -> None:
    for identity in identities:
        uow.identities.committed[identity.id] = identity


def _reviews(uow: FakeUnitOfWork) -> list[DuplicateReview]:
    return list(uow.duplicate_reviews.committed.values())


def _pair(review: DuplicateReview) -> set[Any]:
    return {review.first_id, review.second_id}


# -- INSi ------------------------------------------------------------------------------------


def _recover(uow: FakeUnitOfWork, rules: Rules, identity: Identity) -> insi.RecoveryResult:
    teleservice = FakeTeleservice([insi_person()])
    return insi.recover_ins(identity.id, mode="traits", uow=uow, actor=ADMISSION, rules=rules,
                            teleservice=teleservice)  # fmt: skip


def test_an_identity_created_from_insi_traits_records_its_potential_duplicates(uow, rules):
    existing = make_identity(birth_name="DUPOND")
    _stored(uow, existing)

    result = insi.create_identity_from_insi(
        mode="traits", traits=identity_input(), uow=uow, actor=ADMISSION, rules=rules,
        teleservice=FakeTeleservice([insi_person()]),
    )  # fmt: skip

    assert result.identity is not None
    [review] = _reviews(uow)
    assert _pair(review) == {existing.id, result.identity.id}
    assert review.source is Source.CREATION


def test_an_automatic_insi_integration_records_the_pairs_of_the_new_traits(uow, rules):
    recovered, twin = make_identity(), make_identity(birth_name="DUPOND")
    _stored(uow, recovered, twin)

    result = _recover(uow, rules, recovered)

    assert result.call.decision is Decision.AUTOMATIC
    [review] = _reviews(uow)
    assert _pair(review) == {recovered.id, twin.id} and review.source is Source.CHANGE


def test_insi_traits_accepted_by_the_user_record_the_pairs_and_a_pending_call_does_not(uow, rules):
    recovered, twin = make_identity(birth_place_code="75056"), make_identity()
    _stored(uow, recovered, twin)
    pending = _recover(uow, rules, recovered)
    assert pending.call.decision is Decision.PENDING and _reviews(uow) == []

    insi.accept_insi_call(recovered.id, pending.call.id, uow=uow, actor=ADMISSION, rules=rules)

    [review] = _reviews(uow)
    assert _pair(review) == {recovered.id, twin.id} and review.source is Source.CHANGE


def test_a_document_check_changes_no_trait_and_records_no_pair(uow, rules):
    checked, twin = make_identity(), make_identity()
    _stored(uow, checked, twin)

    validate_identity(checked.id, document_type="CN", document_expiry=date(2031, 1, 1),
                      uow=uow, actor=ADMISSION, rules=rules)  # fmt: skip

    assert _reviews(uow) == []


# -- reception -------------------------------------------------------------------------------


def _receive(
    uow: FakeUnitOfWork, rules: Rules, *, event: str = "A28", sender: Sender = OWN,
    ins: bool = True, **traits: Any,
) -> ReceptionResult:  # fmt: skip
    identity = ReceivedIdentity(
        traits={**IDENTITY_INPUT, **traits},
        ins=TransmittedIns(INS_A.number.number, INS_A.oid.value) if ins else None,
        sender_status="VALI" if ins else None,
        local_id="IPP1",
    )
    reception = Reception("hl7v2", "MSH|...", sender, event, "1", identity)
    return receive_identity(reception, own_domain=["OWNAPP^*"], uow=uow, actor=ADMIN,
                            rules=rules, teleservice=None)  # fmt: skip


def test_a_received_identity_created_with_its_ins_records_its_potential_duplicates(uow, rules):
    existing = make_identity(birth_name="DUPOND")
    _stored(uow, existing)

    result = _receive(uow, rules)

    [review] = _reviews(uow)
    assert _pair(review) == {existing.id, result.identity_id}
    assert review.source is Source.CREATION


def test_a_received_identity_created_without_ins_records_its_potential_duplicates(uow, rules):
    existing = make_identity(birth_name="DUPOND")
    _stored(uow, existing)

    result = _receive(uow, rules, sender=OTHER, ins=False)

    [review] = _reviews(uow)
    assert _pair(review) == {existing.id, result.identity_id}
    assert review.source is Source.CREATION


def test_a_received_update_changing_traits_records_the_pairs_and_an_unchanged_one_nothing(
    uow, rules
):
    existing = make_identity()
    _stored(uow, existing)
    created = _receive(uow, rules, birth_name="DURAND")  # far from DUPONT: no pair
    assert _reviews(uow) == []
    _receive(uow, rules, event="A31", birth_name="DURAND")  # nothing changes
    assert _reviews(uow) == []

    updated = _receive(uow, rules, event="A31", birth_name="DUPONT")

    assert updated.identity_id == created.identity_id
    [review] = _reviews(uow)
    assert _pair(review) == {existing.id, created.identity_id}
    assert review.source is Source.CHANGE


def test_a_received_identity_integrated_from_the_worklist_records_its_potential_duplicates(
    uow, rules
):
    existing = make_identity(birth_name="DUPOND")
    _stored(uow, existing)
    entry = VigilanceEntry(EntryKind.RECEPTION, rules.now(), {"traits": identity_input()})
    uow.vigilance.add(entry)

    resolved = resolve_entry(entry.id, "integrate_without_ins", uow=uow, actor=ADMIN,
                             rules=rules)  # fmt: skip

    [review] = _reviews(uow)
    assert _pair(review) == {existing.id, resolved.identity_id}
    assert review.source is Source.CREATION
