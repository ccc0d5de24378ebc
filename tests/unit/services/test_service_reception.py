"""Reception rules against fakes: the qualified status is transitive inside the own
identification domain, A47 INS changes and A08/A31 updates of known identities."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from fakes import (
    IDENTITY_INPUT,
    INS_A,
    INS_B,
    FakeUnitOfWork,
    actor_with_role,
    fake_rules,
    make_identity,
)
from fakes_verification import FakeVerifier
from identito.domain.documents import DOMAIN_CHECK
from identito.domain.errors import InvalidTransition
from identito.domain.events import AuditAction
from identito.domain.permissions import Role
from identito.domain.status import IdentityStatus
from identito.services.auth import SYSTEM
from identito.services.identities import update_identity
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
from identito.services.vigilance import resolve_entry

OWN, OTHER = Sender("OWNAPP", "CHU-X"), Sender("GAM", "CHU-Y")
ACTOR = actor_with_role(Role.ADMIN)
OWN_DOMAIN = ["OWNAPP^*"]


@pytest.fixture
def rules() -> Rules:
    return fake_rules(allow_test_oids=True)


def received(
    *,
    ins: Any = INS_A,
    status: str | None = "VALI",
    local_id: str | None = "IPP1",
    document: str | None = None,
    expiry: date | None = None,
    **traits: Any,
) -> ReceivedIdentity:
    transmitted = TransmittedIns(ins.number.number, ins.oid.value) if ins else None
    return ReceivedIdentity(
        traits={**IDENTITY_INPUT, **traits},
        ins=transmitted,
        sender_status=status,
        local_id=local_id,
        document_type=document,
        document_expiry=expiry,
    )


def receive(
    uow: FakeUnitOfWork,
    rules: Rules,
    identity: ReceivedIdentity | None,
    *,
    sender: Sender = OWN,
    event: str = "A28",
    replaced: Any = None,
    teleservice: FakeVerifier | None = None,
) -> ReceptionResult:
    old = TransmittedIns(replaced.number.number, replaced.oid.value) if replaced else None
    reception = Reception("hl7v2", "MSH|...", sender, event, "1", identity, old)
    return receive_identity(
        reception, own_domain=OWN_DOMAIN, uow=uow, actor=ACTOR, rules=rules,
        teleservice=teleservice,
    )  # fmt: skip


def _qualified(uow: FakeUnitOfWork, rules: Rules, **changes: Any) -> ReceptionResult:
    result = receive(uow, rules, received(document="CN", expiry=date(2031, 1, 1), **changes))
    assert result.identity_id is not None
    return result


# -- the qualified status is transitive inside the own domain ---------------------------------


def test_a_vali_identity_with_a_matricule_from_the_own_domain_is_integrated_qualified(uow, rules):
    result = _qualified(uow, rules)
    assert result.outcome is ReceptionOutcome.INTEGRATED
    stored = uow.stored(result.identity_id)
    assert stored.status is IdentityStatus.QUALIFIED and stored.ins == INS_A
    assert stored.validation is not None
    assert (stored.validation.document_type, stored.validation.document_expiry) == (
        "CN",
        date(2031, 1, 1),
    )
    assert stored.validation.validated_by == "domaine : OWNAPP^CHU-X"
    retrieved = [e for e in uow.audit.entries if e.action == AuditAction.INS_RETRIEVED.value]
    assert retrieved[0].details["qualified_in_domain"] is True
    assert retrieved[0].details["sender"] == "domaine : OWNAPP^CHU-X"
    assert uow.receptions.get(result.message_id).own_domain


def test_without_zfd_7_the_document_check_is_marked_as_done_in_the_domain(uow, rules):
    result = receive(uow, rules, received(document="XX"))
    stored = uow.stored(result.identity_id)  # type: ignore[index]
    assert stored.status is IdentityStatus.QUALIFIED
    assert stored.validation is not None and stored.validation.document_type == DOMAIN_CHECK
    assert stored.validation.document_expiry is None


def test_the_own_domain_qualifies_a_local_retrieved_identity_with_the_same_ins(uow, rules):
    first = receive(uow, rules, received(), sender=OTHER, teleservice=FakeVerifier())
    assert uow.stored(first.identity_id).status is IdentityStatus.RETRIEVED  # type: ignore[index]
    second = receive(uow, rules, received(local_id="IPP9"))
    assert second.identity_id == first.identity_id
    assert uow.stored(first.identity_id).status is IdentityStatus.QUALIFIED  # type: ignore[index]


def test_another_domain_verified_ok_is_retrieved_and_marked_received_from_another_domain(
    uow, rules
):
    result = receive(uow, rules, received(), sender=OTHER, teleservice=FakeVerifier())
    assert result.outcome is ReceptionOutcome.INTEGRATED
    stored = uow.stored(result.identity_id)  # type: ignore[index]
    assert stored.status is IdentityStatus.RETRIEVED and stored.validation is None
    assert not uow.receptions.for_identity(stored.id)[-1].own_domain


# -- A47: INS change or removal ------------------------------------------------------------


def test_an_own_domain_a47_removing_the_ins_is_applied(uow, rules):
    identity_id = _qualified(uow, rules).identity_id
    result = receive(uow, rules, received(ins=None), event="A47", replaced=INS_A)
    assert result.outcome is ReceptionOutcome.APPLIED and result.identity_id == identity_id
    stored = uow.stored(identity_id)  # type: ignore[arg-type]
    assert stored.status is IdentityStatus.VALIDATED and stored.ins is None
    assert "A47" in stored.ins_history[-1].reason
    assert AuditAction.INS_INVALIDATED.value in uow.audit.actions(identity_id)


def test_an_own_domain_a47_with_a_new_qualified_ins_replaces_it(uow, rules):
    identity_id = _qualified(uow, rules).identity_id
    result = receive(uow, rules, received(ins=INS_B), event="A47", replaced=INS_A)
    assert result.outcome is ReceptionOutcome.APPLIED
    stored = uow.stored(identity_id)  # type: ignore[arg-type]
    assert stored.status is IdentityStatus.QUALIFIED and stored.ins == INS_B
    assert [h.ins for h in stored.ins_history] == [INS_A]


def test_an_own_domain_a47_finds_the_identity_by_the_senders_patient_id(uow, rules):
    identity_id = _qualified(uow, rules).identity_id
    result = receive(uow, rules, received(ins=None, status="PROV"), event="A47")
    assert result.outcome is ReceptionOutcome.APPLIED and result.identity_id == identity_id
    assert uow.stored(identity_id).ins is None  # type: ignore[arg-type]


def test_an_a47_from_another_domain_is_traced_and_put_in_the_worklist(uow, rules):
    identity_id = _qualified(uow, rules).identity_id
    result = receive(uow, rules, received(ins=None), sender=OTHER, event="A47", replaced=INS_A)
    assert result.outcome is ReceptionOutcome.TRACED and result.entry_id is not None
    assert uow.stored(identity_id).ins == INS_A  # type: ignore[arg-type]


def test_an_own_domain_a47_for_an_unknown_identity_waits_in_the_worklist(uow, rules):
    result = receive(uow, rules, received(ins=None), event="A47", replaced=INS_B)
    assert result.outcome is ReceptionOutcome.TRACED and result.entry_id is not None


# -- A08 / A31 updates of a known identity ------------------------------------------------------


def test_an_own_domain_qualified_update_changes_protected_traits_and_requalifies(uow, rules):
    identity_id = _qualified(uow, rules).identity_id
    result = receive(uow, rules, received(birth_name="DURAND"), event="A31")
    assert result.outcome is ReceptionOutcome.APPLIED and result.identity_id == identity_id
    stored = uow.stored(identity_id)  # type: ignore[arg-type]
    assert stored.traits.birth_name == "DURAND"
    assert stored.status is IdentityStatus.QUALIFIED and stored.ins == INS_A
    actions = uow.audit.actions(identity_id)
    assert AuditAction.TRAITS_CHANGED.value in actions
    assert AuditAction.INS_INVALIDATED.value in actions  # the change, then the sender's word


def test_an_update_from_another_domain_applies_unprotected_traits_only(uow, rules):
    first = receive(uow, rules, received(), sender=OTHER, teleservice=FakeVerifier())
    identity_id = first.identity_id
    used = receive(uow, rules, received(used_name="MARTIN"), sender=OTHER, event="A08")
    assert used.outcome is ReceptionOutcome.APPLIED
    assert uow.stored(identity_id).traits.used_name == "MARTIN"  # type: ignore[arg-type]
    strict = receive(uow, rules, received(birth_name="DURAND"), sender=OTHER, event="A31")
    assert strict.outcome is ReceptionOutcome.PENDING and strict.entry_id is not None
    stored = uow.stored(identity_id)  # type: ignore[arg-type]
    assert stored.traits.birth_name == "DUPONT" and stored.status is IdentityStatus.RETRIEVED
    entry = uow.vigilance.get(strict.entry_id)
    assert entry.kind is EntryKind.RECEPTION and entry.identity_id == identity_id
    with pytest.raises(InvalidTransition):
        resolve_entry(entry.id, "integrate_without_ins", uow=uow, actor=ACTOR, rules=rules)


def test_an_own_domain_update_without_qualified_status_cannot_change_protected_traits(uow, rules):
    identity_id = _qualified(uow, rules).identity_id
    result = receive(
        uow, rules, received(ins=None, status="PROV", birth_name="DURAND"), event="A08"
    )
    assert result.outcome is ReceptionOutcome.PENDING
    assert uow.stored(identity_id).traits.birth_name == "DUPONT"  # type: ignore[arg-type]


def test_an_own_domain_qualified_reception_of_a_typed_matricule_closes_its_entry(uow, rules):
    identity = make_identity(IdentityStatus.VALIDATED)
    with uow:
        uow.identities.add(identity)
        uow.commit(SYSTEM, rules.now())
    typed = {"number": INS_A.number.number, "oid": INS_A.oid.value}
    update_identity(identity.id, identity.version, {"ins": typed}, uow=uow, actor=ACTOR,
                    rules=rules)  # fmt: skip
    assert len(uow.vigilance.entries(EntryKind.INS_TO_VERIFY)) == 1
    result = receive(uow, rules, received(local_id="IPP7"))
    assert result.identity_id == identity.id
    assert uow.stored(identity.id).status is IdentityStatus.QUALIFIED
    assert uow.vigilance.entries(EntryKind.INS_TO_VERIFY) == []
    [closed] = uow.vigilance.entries(EntryKind.INS_TO_VERIFY, open_only=False)
    assert "domaine d'identification" in (closed.comment or "")
