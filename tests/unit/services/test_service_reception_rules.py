"""Issue 11 reception rules against fakes: a received INS is linked only with agreeing
traits (R-VE-02), received attributes are applied (R-ST-10), a corrected or exceptional
birth date (R-TR-11, R-TR-12) or a sex other than M/F (R-TR-14) never gives RECUP/QUAL,
identities from another domain are marked RECD."""

from __future__ import annotations

from typing import Any

import pytest

from fakes import IDENTITY_INPUT, INS_A, FakeUnitOfWork, actor_with_role, fake_rules
from fakes_verification import FakeVerifier
from identito.domain.identifiers import Ins, Oid
from identito.domain.permissions import Role
from identito.domain.status import IdentityAttribute, IdentityStatus
from identito.services.comparison import Comparison
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
ACTOR = actor_with_role(Role.ADMIN)
DATEY = {"birth_name": "DATEY", "first_birth_first_name": "ZOE", "birth_first_names": ["ZOE"],
         "sex": "F", "birth_date": "1990-07-14"}  # fmt: skip


@pytest.fixture
def rules() -> Rules:
    return fake_rules(allow_test_oids=True)


def received(
    *,
    ins: Any = INS_A,
    statuses: tuple[str, ...] = ("VALI",),
    local_id: str = "IPP1",
    **traits: Any,
) -> ReceivedIdentity:
    return ReceivedIdentity(
        traits={**IDENTITY_INPUT, **traits},
        ins=TransmittedIns(ins.number.number, ins.oid.value) if ins else None,
        sender_status=statuses[0] if statuses else None,
        attributes=statuses[1:],
        local_id=local_id,
    )


def receive(
    uow: FakeUnitOfWork,
    rules: Rules,
    identity: ReceivedIdentity,
    *,
    sender: Sender = OWN,
    event: str = "A28",
    teleservice: FakeVerifier | None = None,
) -> ReceptionResult:
    reception = Reception("hl7v2", "MSH|...", sender, event, "1", identity)
    return receive_identity(
        reception, own_domain=["OWNAPP^*"], uow=uow, actor=ACTOR, rules=rules,
        teleservice=teleservice,
    )  # fmt: skip


def _identities(uow: FakeUnitOfWork) -> int:
    return len(uow.identities.committed)


# -- 2. a received INS is never linked on the number alone ------------------------------------


def test_an_own_domain_ins_held_locally_by_other_traits_is_neither_linked_nor_created(uow, rules):
    adrun = receive(uow, rules, received()).identity_id
    assert uow.stored(adrun).status is IdentityStatus.QUALIFIED  # type: ignore[arg-type]
    result = receive(uow, rules, received(local_id="IPP2", **DATEY))
    assert result.outcome is ReceptionOutcome.PENDING
    assert _identities(uow) == 1
    assert uow.receptions.get(result.message_id).identity_id == adrun
    assert INS_A.number.number not in uow.receptions.get(result.message_id).content


def test_the_worklist_entry_shows_the_local_and_received_traits_side_by_side(uow, rules):
    adrun = receive(uow, rules, received()).identity_id
    receive(uow, rules, received(local_id="IPP2", **DATEY))
    (entry,) = uow.vigilance.entries(EntryKind.RECEPTION)
    assert entry.identity_id == adrun
    comparison = Comparison.from_dict(entry.summary["comparison"])
    assert comparison.side("local")["birth_name"] == "DUPONT"
    assert comparison.side("insi")["birth_name"] == "DATEY"
    assert set(comparison.differences) >= {"birth_name", "first_birth_first_name", "sex"}


def test_an_ins_from_another_domain_held_locally_by_other_traits_is_not_verified(uow, rules):
    receive(uow, rules, received())
    verifier = FakeVerifier()
    result = receive(uow, rules, received(**DATEY), sender=OTHER, teleservice=verifier)
    assert result.outcome is ReceptionOutcome.PENDING
    assert not verifier.verified and _identities(uow) == 1


def test_a_received_ins_held_locally_with_the_same_strict_traits_is_linked(uow, rules):
    first = receive(uow, rules, received())
    second = receive(uow, rules, received(local_id="IPP2", used_name="MARTIN"))
    assert second.outcome is ReceptionOutcome.INTEGRATED
    assert second.identity_id == first.identity_id and _identities(uow) == 1


def test_an_identity_created_from_another_domain_is_marked_recd(uow, rules):
    result = receive(uow, rules, received(ins=None, statuses=("PROV",)), sender=OTHER)
    assert uow.stored(result.identity_id).received_from_other_domain  # type: ignore[arg-type]


def test_an_identity_created_from_the_own_domain_is_not_marked_recd(uow, rules):
    result = receive(uow, rules, received(ins=None, statuses=("PROV",)))
    assert not uow.stored(result.identity_id).received_from_other_domain  # type: ignore[arg-type]


# -- 4. received attributes are applied ------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "attribute"),
    [("FICT", IdentityAttribute.FICTITIOUS), ("DOUT", IdentityAttribute.DOUBTFUL)],
)
def test_prov_with_a_doubtful_or_fictitious_attribute_creates_a_blocked_identity(
    uow, rules, code, attribute
):
    result = receive(uow, rules, received(ins=None, statuses=("PROV", code)))
    stored = uow.stored(result.identity_id)  # type: ignore[arg-type]
    assert stored.attributes == {attribute} and stored.blocks_ins
    assert stored.status is IdentityStatus.PROVISIONAL


def test_a_vali_ins_sent_with_dout_is_never_integrated(uow, rules):
    result = receive(uow, rules, received(statuses=("VALI", "DOUT")))
    assert result.outcome is ReceptionOutcome.INTEGRATED_WITHOUT_INS
    stored = uow.stored(result.identity_id)  # type: ignore[arg-type]
    assert stored.ins is None and stored.status is IdentityStatus.PROVISIONAL
    assert stored.attributes == {IdentityAttribute.DOUBTFUL}


def test_a_homonym_attribute_is_applied_to_a_qualified_reception(uow, rules):
    result = receive(uow, rules, received(statuses=("VALI", "HOMA")))
    stored = uow.stored(result.identity_id)  # type: ignore[arg-type]
    assert stored.status is IdentityStatus.QUALIFIED
    assert stored.attributes == {IdentityAttribute.HOMONYM}


def test_fictitious_and_doubtful_together_are_refused(uow, rules):
    result = receive(uow, rules, received(ins=None, statuses=("PROV", "FICT", "DOUT")))
    assert result.outcome is ReceptionOutcome.REJECTED
    assert "DOUT + FICT" in (result.detail or "") and _identities(uow) == 0


def test_an_update_carrying_dout_makes_a_known_qualified_identity_provisional(uow, rules):
    identity_id = receive(uow, rules, received()).identity_id
    receive(uow, rules, received(statuses=("VALI", "DOUT")), event="A31")
    stored = uow.stored(identity_id)  # type: ignore[arg-type]
    assert stored.attributes == {IdentityAttribute.DOUBTFUL}
    assert stored.status is IdentityStatus.PROVISIONAL and stored.ins is None


# -- 5. a corrected or exceptional birth date -------------------------------------------------


def test_an_own_domain_vali_ins_with_a_corrected_birth_date_is_not_qualified(uow, rules):
    result = receive(uow, rules, received(birth_date_corrected=True))
    assert result.outcome is ReceptionOutcome.INTEGRATED_WITHOUT_INS
    stored = uow.stored(result.identity_id)  # type: ignore[arg-type]
    assert stored.status is IdentityStatus.PROVISIONAL and stored.ins is None
    assert stored.traits.birth_date.corrected and stored.traits.birth_date.uncertain
    assert "corrigée" in (result.detail or "")
    assert INS_A.number.number not in uow.receptions.get(result.message_id).content


def test_an_own_domain_vali_ins_with_an_exceptional_birth_date_is_not_qualified(uow, rules):
    result = receive(uow, rules, received(birth_date="1980-00-00"))
    stored = uow.stored(result.identity_id)  # type: ignore[arg-type]
    assert stored.status is IdentityStatus.PROVISIONAL and stored.ins is None


def test_another_domain_ins_with_a_corrected_date_is_not_sent_to_insi(uow, rules):
    verifier = FakeVerifier()
    result = receive(
        uow, rules, received(birth_date_corrected=True), sender=OTHER, teleservice=verifier
    )
    assert result.outcome is ReceptionOutcome.INTEGRATED_WITHOUT_INS and not verifier.verified


# -- 7. sex I / U ----------------------------------------------------------------------------


def test_an_own_domain_vali_ins_with_an_indeterminate_sex_is_not_qualified(uow, rules):
    result = receive(uow, rules, received(sex="I"))
    assert result.outcome is ReceptionOutcome.INTEGRATED_WITHOUT_INS
    stored = uow.stored(result.identity_id)  # type: ignore[arg-type]
    assert stored.status is IdentityStatus.PROVISIONAL and stored.ins is None
    assert "Sexe indéterminé" in (result.detail or "")


# -- 6. NIA -> NIR -------------------------------------------------------------------------


def test_an_own_domain_nir_replacing_a_nia_is_kept_and_propagated_as_an_a31(uow, rules):
    from diffusion_cases import CASES
    from identito.messages import hl7v2
    from identito.services.propagation import send_outbox

    known = CASES["nia"]()
    uow.identities.committed[known.id] = known
    nir = Ins.parse("279035121518989", Oid.NIR.value)
    pat_trois = {**known.traits.as_dict(), "used_name": None}
    update = ReceivedIdentity(
        traits=pat_trois, ins=TransmittedIns(nir.number.number, nir.oid.value),
        sender_status="VALI", local_id=str(known.id),
    )  # fmt: skip
    result = receive(uow, rules, update, event="A31")
    assert result.outcome is ReceptionOutcome.APPLIED
    assert uow.stored(known.id).ins == nir
    sent: list[bytes] = []
    receiver = type("Receiver", (), {"name": "memoire", "send": lambda _, m: sent.append(m)})()
    send_outbox(uow=uow, actor=ACTOR, rules=rules, receivers=[receiver],
                build=hl7v2.propagation_messages)  # fmt: skip
    (message,) = sent
    assert b"ADT^A31" in message and b"MRG" not in message
    assert b"ASIP-SANTE-INS-NIA&1.2.250.1.213.1.4.9" in message


# -- a refused matricule held locally (issue 11 conformance review) ----------------------------


@pytest.mark.parametrize(
    "change",
    [{"birth_date_corrected": True}, {"sex": "I"}, {"statuses": ("VALI", "DOUT")}],
    ids=["corrected-date", "sex-i", "dout"],
)
def test_a_refused_matricule_held_by_a_local_identity_is_neither_linked_nor_created(
    uow, rules, change
):
    holder = receive(uow, rules, received()).identity_id
    result = receive(uow, rules, received(local_id="IPP2", **change))
    assert result.outcome is ReceptionOutcome.PENDING
    assert _identities(uow) == 1
    stored = uow.stored(holder)  # type: ignore[arg-type]
    assert stored.status is IdentityStatus.QUALIFIED and stored.attributes == frozenset()
    (entry,) = uow.vigilance.entries(EntryKind.RECEPTION)
    assert entry.identity_id == holder and "comparison" in entry.summary
    assert "ni rapprochée, ni créée" in (result.detail or "")
