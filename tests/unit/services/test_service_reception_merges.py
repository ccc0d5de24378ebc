"""Reception and merges (fakes): messages naming a merged identity go to its survivor;
an A40 from the own domain is applied as a merge when the rules allow it."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from fakes import IDENTITY_INPUT, INS_A, INS_B, FakeUnitOfWork, actor_with_role, fake_rules
from identito.domain.errors import PermissionDenied
from identito.domain.events import AuditAction
from identito.domain.permissions import Actor, Permission, Role
from identito.services.merges import merge_identities
from identito.services.reception import (
    ReceivedIdentity,
    Reception,
    ReceptionResult,
    Sender,
    TransmittedIns,
    receive_identity,
)
from identito.services.rules import Rules
from identito.services.verification_records import EntryKind, ReceptionOutcome

OWN, OTHER = Sender("OWNAPP", "CHU-X"), Sender("GAM", "CHU-Y")
ADMIN = actor_with_role(Role.ADMIN)
VIGILANCE = actor_with_role(Role.IDENTITY_VIGILANCE)


@pytest.fixture
def rules() -> Rules:
    return fake_rules(allow_test_oids=True)


def person(local_id: str, *, ins: Any = None, **traits: Any) -> ReceivedIdentity:
    transmitted = TransmittedIns(ins.number.number, ins.oid.value) if ins else None
    return ReceivedIdentity(
        traits={**IDENTITY_INPUT, **traits},
        ins=transmitted,
        sender_status="VALI" if ins else "PROV",
        local_id=local_id,
    )


def receive(
    uow: FakeUnitOfWork,
    rules: Rules,
    identity: ReceivedIdentity,
    *,
    event: str = "A28",
    sender: Sender = OWN,
    merged: str | None = None,
    actor: Actor = ADMIN,
    channel: str = "hl7v2",
) -> ReceptionResult:
    reception = Reception(
        channel, "MSH|...", sender, event, "1", identity, merged_patient_id=merged
    )
    return receive_identity(reception, own_domain=["OWNAPP^*"], uow=uow, actor=actor,
                            rules=rules, teleservice=None)  # fmt: skip


def two_records(uow: FakeUnitOfWork, rules: Rules, *, second_ins: Any = None) -> tuple[UUID, UUID]:
    """IPP1 (qualified, INS_A) and IPP2 (another record of the same person) from OWNAPP."""
    first = receive(uow, rules, person("IPP1", ins=INS_A)).identity_id
    second = receive(uow, rules, person("IPP2", ins=second_ins, used_name="MARTIN")).identity_id
    assert first and second and first != second
    return first, second


def _open_entries(uow: FakeUnitOfWork) -> list[Any]:
    return uow.vigilance.entries(EntryKind.RECEPTION)


# -- a message naming a merged identity ---------------------------------------------------------


def test_an_update_naming_a_merged_identity_is_applied_to_its_survivor_and_traced(uow, rules):
    survivor, merged = two_records(uow, rules)
    merge_identities(survivor, merged, uow=uow, actor=VIGILANCE, rules=rules)

    result = receive(uow, rules, person("IPP2", used_name="DURAND"), event="A31")

    assert (result.outcome, result.identity_id) == (ReceptionOutcome.APPLIED, survivor)
    assert uow.stored(survivor).traits.used_name == "DURAND"
    assert uow.stored(merged).traits.used_name == "MARTIN" and not uow.stored(merged).active
    assert result.detail is not None and result.detail.startswith(f"Identité {merged} fusionnée")
    (audit,) = [
        e for e in uow.audit.entries if e.details.get("message_id") == str(result.message_id)
    ]
    assert audit.details["redirected_from"] == [str(merged)]
    assert uow.receptions.get(result.message_id).identity_id == survivor


def test_an_update_of_a_merged_identity_the_survivor_rules_refuse_waits_linked_to_the_survivor(
    uow, rules
):
    survivor, merged = two_records(uow, rules)
    merge_identities(survivor, merged, uow=uow, actor=VIGILANCE, rules=rules)

    result = receive(uow, rules, person("IPP2", first_birth_first_name="JEANNE",
                                        birth_first_names=["JEANNE"]), event="A31")  # fmt: skip

    assert (result.outcome, result.identity_id) == (ReceptionOutcome.PENDING, survivor)
    assert uow.stored(survivor).traits.first_birth_first_name == "JEAN"
    (entry,) = _open_entries(uow)
    assert (
        entry.identity_id == survivor and f"Identité {merged} fusionnée" in entry.summary["reason"]
    )


def test_a_fhir_put_on_a_merged_patient_id_is_applied_to_its_survivor(uow, rules):
    survivor, merged = two_records(uow, rules)
    merge_identities(survivor, merged, uow=uow, actor=VIGILANCE, rules=rules)

    result = receive(uow, rules, person(str(merged), used_name="DURAND"), event="PUT",
                     sender=Sender("api:dpi"), channel="fhir")  # fmt: skip

    assert (result.outcome, result.identity_id) == (ReceptionOutcome.APPLIED, survivor)
    assert uow.stored(survivor).traits.used_name == "DURAND"


def test_merges_in_a_row_are_followed_to_the_active_identity(uow, rules):
    first, second = two_records(uow, rules)
    third = receive(uow, rules, person("IPP3", birth_name="DUPONTE")).identity_id
    assert third is not None
    merge_identities(second, third, uow=uow, actor=VIGILANCE, rules=rules)
    merge_identities(first, second, uow=uow, actor=VIGILANCE, rules=rules)

    result = receive(uow, rules, person("IPP3", birth_name="DUPONTE", used_name="X"), event="A31")

    assert result.identity_id == first
    (audit,) = [
        e for e in uow.audit.entries if e.details.get("message_id") == str(result.message_id)
    ]
    assert audit.details["redirected_from"] == [str(third), str(second)]


# -- A40 ----------------------------------------------------------------------------------------


def test_an_a40_from_the_own_domain_merges_the_two_records_and_propagates_the_merge(uow, rules):
    survivor, merged = two_records(uow, rules)

    result = receive(uow, rules, person("IPP1", ins=INS_A), event="A40", merged="IPP2")

    assert (result.outcome, result.identity_id) == (ReceptionOutcome.APPLIED, survivor)
    assert uow.stored(merged).merged_into == survivor and not uow.stored(merged).active
    (record,) = uow.merges.committed.values()
    assert (record.survivor_id, record.merged_id, record.actor) == (
        survivor,
        merged,
        ADMIN.username,
    )
    row = uow.outbox.unsent()[-1]
    assert (row["identity_id"], row["action"]) == (survivor, AuditAction.IDENTITY_MERGED)
    assert _open_entries(uow) == []


def test_an_a40_may_name_identito_ids_in_pid_3_and_mrg_1(uow, rules):
    survivor, merged = two_records(uow, rules)

    result = receive(uow, rules, person(str(survivor)), event="A40", merged=str(merged))

    assert result.outcome is ReceptionOutcome.APPLIED
    assert uow.stored(merged).merged_into == survivor


def test_an_a40_from_another_domain_is_traced_and_waits_in_the_worklist(uow, rules):
    survivor, merged = two_records(uow, rules)

    result = receive(uow, rules, person(str(survivor)), event="A40", merged=str(merged),
                     sender=OTHER)  # fmt: skip

    assert result.outcome is ReceptionOutcome.TRACED and result.entry_id is not None
    assert uow.stored(merged).active and not uow.merges.committed
    assert "autre domaine" in _open_entries(uow)[0].summary["reason"]


def test_an_a40_the_merge_rules_refuse_waits_in_the_worklist_with_the_reason(uow, rules):
    survivor, merged = two_records(uow, rules, second_ins=INS_B)

    result = receive(uow, rules, person("IPP1", ins=INS_A), event="A40", merged="IPP2")

    assert (result.outcome, result.identity_id) == (ReceptionOutcome.TRACED, survivor)
    assert uow.stored(merged).active and not uow.merges.committed
    (entry,) = _open_entries(uow)
    assert "matricules INS différents" in entry.summary["reason"]
    assert entry.identity_id == survivor


def test_an_a40_naming_an_unknown_patient_waits_in_the_worklist(uow, rules):
    two_records(uow, rules)

    result = receive(uow, rules, person("IPP1", ins=INS_A), event="A40", merged="IPP-INCONNU")

    assert result.outcome is ReceptionOutcome.TRACED and not uow.merges.committed
    assert "introuvable" in _open_entries(uow)[0].summary["reason"]


def test_an_a40_from_a_sender_who_may_receive_but_not_merge_waits_in_the_worklist(uow, rules):
    _, merged = two_records(uow, rules)
    receiver = Actor("labo", Role.INTERFACE, frozenset({Permission.MESSAGES_RECEIVE}))

    result = receive(uow, rules, person("IPP1", ins=INS_A), event="A40", merged="IPP2",
                     actor=receiver)  # fmt: skip

    assert result.outcome is ReceptionOutcome.TRACED and uow.stored(merged).active
    assert "identitovigilance" in _open_entries(uow)[0].summary["reason"]


def test_an_a40_of_the_own_domain_from_an_interface_account_is_applied(uow, rules):
    survivor, merged = two_records(uow, rules)
    interface = actor_with_role(Role.INTERFACE)

    result = receive(uow, rules, person("IPP1", ins=INS_A), event="A40", merged="IPP2",
                     actor=interface)  # fmt: skip

    assert (result.outcome, result.identity_id) == (ReceptionOutcome.APPLIED, survivor)
    assert not uow.stored(merged).active


def test_a_role_that_may_not_receive_messages_is_refused_before_anything_is_stored(uow, rules):
    two_records(uow, rules)
    stored = len(uow.receptions.messages)

    with pytest.raises(PermissionDenied):
        receive(uow, rules, person("IPP9"), actor=actor_with_role(Role.ADMISSION))

    assert len(uow.receptions.messages) == stored


def test_an_a40_received_twice_changes_nothing_the_second_time(uow, rules):
    survivor, _ = two_records(uow, rules)
    receive(uow, rules, person("IPP1", ins=INS_A), event="A40", merged="IPP2")

    again = receive(uow, rules, person("IPP1", ins=INS_A), event="A40", merged="IPP2")

    assert (again.outcome, again.identity_id) == (ReceptionOutcome.APPLIED, survivor)
    assert "rien ne change" in (again.detail or "") and len(uow.merges.committed) == 1
