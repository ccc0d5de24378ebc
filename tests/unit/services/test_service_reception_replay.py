"""Idempotent reception (issue 12 point 2) against fakes: a copy of a message received
again has one effect, and a copy that met a concurrent one is received again."""

from __future__ import annotations

from typing import Any

import pytest

from fakes import IDENTITY_INPUT, INS_A, FakeUnitOfWork, actor_with_role, fake_rules
from identito.domain.permissions import Role
from identito.services.reception import (
    ReceivedIdentity,
    Reception,
    ReceptionResult,
    Sender,
    TransmittedIns,
    receive_identity,
)
from identito.services.reception_model import sender_key
from identito.services.reception_records import PatientAlreadyLinked
from identito.services.rules import Rules
from identito.services.verification_records import ReceptionOutcome

OWN, OTHER = Sender("OWNAPP", "CHU-X"), Sender("GAM", "CHU-Y")
ACTOR = actor_with_role(Role.ADMIN)


@pytest.fixture
def rules() -> Rules:
    return fake_rules(allow_test_oids=True)


def _receive(
    uow: FakeUnitOfWork, rules: Rules, *, sender: Sender = OWN, ins: bool = True, **traits: Any
) -> ReceptionResult:
    identity = ReceivedIdentity(
        traits={**IDENTITY_INPUT, **traits},
        ins=TransmittedIns(INS_A.number.number, INS_A.oid.value) if ins else None,
        sender_status="VALI" if ins else "PROV",
        local_id="IPP-9",
    )
    reception = Reception("hl7v2", "MSH|...", sender, "A28", "MSG-1", identity)
    return receive_identity(reception, own_domain=["OWNAPP^*"], uow=uow, actor=ACTOR,
                            rules=rules, teleservice=None)  # fmt: skip


@pytest.mark.parametrize(("sender", "ins"), [(OWN, True), (OTHER, False)])
def test_an_a28_received_twice_makes_one_identity_linked_to_the_senders_ipp(
    uow: FakeUnitOfWork, rules: Rules, sender: Sender, ins: bool
) -> None:
    first = _receive(uow, rules, sender=sender, ins=ins)
    second = _receive(uow, rules, sender=sender, ins=ins)

    assert second.identity_id == first.identity_id
    assert second.outcome is ReceptionOutcome.APPLIED
    assert "rien ne change" in (second.detail or "")
    assert len(uow.identities.committed) == 1
    assert uow.receptions.links == {(sender_key(sender), "IPP-9"): first.identity_id}


def test_a_creation_message_of_a_known_ipp_with_other_traits_updates_it_not_a_second_one(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    first = _receive(uow, rules, sender=OTHER, ins=False)
    second = _receive(uow, rules, sender=OTHER, ins=False, used_name="MARTIN")

    assert second.identity_id == first.identity_id
    assert len(uow.identities.committed) == 1
    assert uow.identities.committed[first.identity_id].traits.used_name == "MARTIN"


def test_a_copy_meeting_a_concurrent_link_is_received_again_as_a_later_copy(
    uow: FakeUnitOfWork, rules: Rules, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _receive(uow, rules, sender=OTHER, ins=False)
    linked = dict(uow.receptions.links)
    uow.receptions.links.clear()  # the second copy does not see the link yet...
    calls: list[str] = []

    def link(sender: str, patient_id: str, identity_id: Any, at: Any) -> None:
        calls.append(patient_id)
        if (sender, patient_id) in uow.receptions.links:
            return
        uow.receptions.links.update(linked)  # ...which the first copy committed meanwhile
        raise PatientAlreadyLinked(patient_id)

    monkeypatch.setattr(uow.receptions, "link_patient", link)
    second = _receive(uow, rules, sender=OTHER, ins=False)

    assert calls == ["IPP-9", "IPP-9"]  # refused, then received again: already linked
    assert (second.identity_id, second.outcome) == (first.identity_id, ReceptionOutcome.APPLIED)
