"""Issue 17 point 9 (R-TR-19): an INS-C or an NSS received where an INS is expected is
recognised and refused as INS with a French reason; it is never stored as an INS."""

from __future__ import annotations

import json

import pytest

from fakes import IDENTITY_INPUT, INS_A, FakeUnitOfWork, actor_with_role, fake_rules
from identito.domain.errors import InvalidInput
from identito.domain.identifiers import Ins, not_an_ins
from identito.domain.permissions import Role
from identito.domain.status import IdentityStatus
from identito.messages.fhir_reception import parse_patient
from identito.messages.hl7v2_reception import parse_adt
from identito.services.reception import Reception, Sender, receive_identity
from identito.services.reception_model import ReceivedIdentity, TransmittedIns, preferred_ins
from identito.services.rules import Rules
from identito.services.verification_records import ReceptionOutcome

OWN = Sender("OWNAPP", "CHU-X")
ACTOR = actor_with_role(Role.ADMIN)
INS_C = "1234567890123456789012"  # an INS-C is 22 digits (synthetic)
PID_TAIL = (
    "||DUPONT^JEAN^JEAN CHRISTOPHE PIERRE^^^^L||19800312|M|||^^^^^FRA^BDL^^2B020"
    "|||||||||||||||||||N||VALI\r"
)


def _adt(identifiers: str) -> str:
    return (
        "MSH|^~\\&|OWNAPP|CHU-X|IDENTITO|CHU|20260316||ADT^A28^ADT_A05|9|P|2.5\r"
        f"PID|1||IPP9^^^CHU-X&1.2.3&ISO^PI~{identifiers}{PID_TAIL}"
    )


@pytest.fixture
def rules() -> Rules:
    return fake_rules(allow_test_oids=True)


@pytest.mark.parametrize(
    ("oid", "word"),
    [("1.2.250.1.213.1.4.2", "INS-C"), ("1.2.250.1.213.1.4.6", "INS-C"),
     ("1.2.250.1.213.1.4.7", "INS-C"), ("1.2.250.1.213.1.4.13", "NSS"),
     ("1.2.250.1.213.1.4.14", "NSS")],
)  # fmt: skip
def test_an_ins_c_or_nss_oid_is_refused_as_ins_with_its_french_reason(oid: str, word: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        Ins.parse(INS_A.number.number, oid)
    error = caught.value.errors[0]
    assert error.rule == "ins_oid_not_ins" and word in error.message
    assert "jamais enregistré comme INS" in error.message
    assert not_an_ins(f"urn:oid:{oid}") == error.message


def test_a_true_ins_sent_beside_an_ins_c_is_the_one_taken() -> None:
    found = [TransmittedIns(INS_C, "1.2.250.1.213.1.4.2"), TransmittedIns("X", INS_A.oid.value)]
    assert preferred_ins(found) == found[1]
    assert preferred_ins(found[:1]) == found[0]  # alone: read, then refused by the rules


def test_hl7_reads_an_ins_c_repetition_by_its_type_and_never_an_nh_one_as_the_ins() -> None:
    ins_c = parse_adt(_adt(f"{INS_C}^^^ASIP-SANTE-INS-C&1.2.250.1.213.1.4.2&ISO^INS-C"))
    assert ins_c.identity is not None and ins_c.identity.ins is not None
    assert ins_c.identity.ins.oid == "1.2.250.1.213.1.4.2"
    bare = parse_adt(_adt(f"{INS_C}^^^ASIP-SANTE-INS-C^INS-C"))
    assert bare.identity is not None and bare.identity.ins is not None
    assert bare.identity.ins.oid == "1.2.250.1.213.1.4.2"  # known by its type alone
    nh = parse_adt(_adt(f"{INS_A.number}^^^ASIP-SANTE-NIR&1.2.250.1.213.1.4.8&ISO^NH"))
    assert nh.identity is not None and nh.identity.ins is None  # billing NIR, App. N


def test_fhir_reads_an_ins_c_identifier_so_that_it_can_be_refused() -> None:
    patient = {
        "resourceType": "Patient",
        "identifier": [{"use": "secondary", "system": "urn:oid:1.2.250.1.213.1.4.2",
                        "type": {"coding": [{"code": "INS-C"}]}, "value": INS_C},
                       {"use": "official", "system": "urn:oid:1.2.250.1.213.1.4.13",
                        "type": {"coding": [{"code": "NH"}]}, "value": INS_A.number.number}],
        "name": [{"use": "official", "family": "DUPONT", "given": ["JEAN"]}],
        "birthDate": "1980-03-12", "gender": "male",
    }  # fmt: skip
    reception = parse_patient(json.dumps(patient), sender=OWN, method="POST")
    assert reception.identity is not None and reception.identity.ins is not None
    assert reception.identity.ins.oid == "1.2.250.1.213.1.4.2"  # the NSS is not read as INS


@pytest.mark.parametrize("oid", ["1.2.250.1.213.1.4.2", "1.2.250.1.213.1.4.13"])
def test_an_own_domain_identity_sent_with_an_ins_c_or_nss_as_ins_is_integrated_without_it(
    uow: FakeUnitOfWork, rules: Rules, oid: str
) -> None:
    received = ReceivedIdentity(
        traits=dict(IDENTITY_INPUT), ins=TransmittedIns(INS_A.number.number, oid),
        sender_status="VALI", local_id="IPP1",
    )  # fmt: skip
    reception = Reception("hl7v2", f"MSH|...{INS_A.number}", OWN, "A28", "1", received)
    result = receive_identity(
        reception, own_domain=["OWNAPP^*"], uow=uow, actor=ACTOR, rules=rules, teleservice=None
    )
    assert result.outcome is ReceptionOutcome.INTEGRATED_WITHOUT_INS
    assert result.identity_id is not None
    identity = uow.identities.committed[result.identity_id]
    assert identity.ins is None and identity.status is IdentityStatus.PROVISIONAL
    shown = " ".join([result.detail or "", *result.warnings])
    assert "Identifiant reçu comme INS refusé" in shown and oid in shown
