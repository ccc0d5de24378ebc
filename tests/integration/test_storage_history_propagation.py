"""Issue 17 point 8 on SQLite and PostgreSQL (R-MO-05): former matricules kept as the
same person's (``ins_history.replaced``) and diffused with FHIR ``use: old``; a trait
change alone written to the outbox and sent as an A31; an own-domain A47 taking the
status from PID-32."""

from __future__ import annotations

from datetime import UTC, datetime

from identito.domain.diffusion import diffusion_view
from identito.domain.identifiers import Ins, Oid
from identito.domain.status import IdentityStatus
from identito.messages import fhir, hl7v2
from identito.messages.hl7v2_reception import parse_adt
from identito.services import propagation
from identito.services.diffusion import export_context
from identito.services.identities import update_identity
from identito.services.reception import receive_identity
from identito.services.verification_records import ReceptionOutcome

START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
NIA = Ins.parse("180032B02040123", Oid.NIA.value)
NIR = Ins.parse("180032B02040123", Oid.NIR.value)


class _Receiver:
    name = "memoire"

    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, message: bytes) -> None:
        self.sent.append(message.decode("utf-8"))


def test_a_replaced_nia_comes_back_from_the_database_and_leaves_as_use_old(
    uow_factory, make_identity, admin, rules
) -> None:
    identity = make_identity(birth_place_code="2B020")
    identity.record_ins_retrieval(NIA, now=START)
    identity.record_ins_retrieval(NIR, now=START)
    with uow_factory() as uow:
        uow.identities.add(identity)
        uow.commit(admin, START)
    with uow_factory() as uow:
        loaded = uow.identities.get(identity.id)
    assert [(h.ins, h.replaced) for h in loaded.ins_history] == [(NIA, True)]
    loaded.status = IdentityStatus.QUALIFIED  # the document check is not the point here
    view = diffusion_view(loaded, may_read_ins=True)
    patient = fhir.patient_resource(view, export_context(rules, START))
    old = [i["value"] for i in patient["identifier"] if i["use"] == "old" and "INS" in str(i)]
    assert old == [NIA.number.number]


def test_a_used_name_change_alone_is_written_to_the_outbox_and_sent_as_an_a31(
    uow_factory, make_identity, admin, rules
) -> None:
    identity = make_identity()
    with uow_factory() as uow:
        uow.identities.add(identity)
        uow.commit(admin, START)
    update_identity(identity.id, identity.version, {"used_name": "BERNARD"},
                    uow=uow_factory(), actor=admin, rules=rules)  # fmt: skip
    receiver = _Receiver()
    report = propagation.send_outbox(
        uow=uow_factory(), actor=admin, rules=rules, receivers=[receiver],
        build=hl7v2.propagation_messages,
    )  # fmt: skip
    assert report.failures == [] and report.rows == 1
    (a31,) = receiver.sent
    assert "ADT^A31^ADT_A05" in a31 and "BERNARD^^^^^^D~DUPONT" in a31


def _a47(ins_cx: str, pid32: str) -> str:
    return (
        "MSH|^~\\&|OWNAPP|CHU-X|IDENTITO|CHU|20260316||ADT^A47^ADT_A30|A47-1|P|2.5\r"
        f"PID|1||IPP1^^^CHU-X&1.2.3&ISO^PI{ins_cx}||DUPONT^JEAN^JEAN^^^^L||19800312|M"
        f"|||^^^^^FRA^BDL^^2B020|||||||||||||||||||N||{pid32}\r"
        f"MRG|{NIR.number}^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS\r"
    )


def test_an_own_domain_a47_with_pid32_prov_leaves_the_identity_retrieved_in_the_database(
    uow_factory, admin, rules
) -> None:
    a28 = (
        "MSH|^~\\&|OWNAPP|CHU-X|IDENTITO|CHU|20260316||ADT^A28^ADT_A05|A28-1|P|2.5\r"
        f"PID|1||IPP1^^^CHU-X&1.2.3&ISO^PI~{NIR.number}^^^ASIP-SANTE-INS-NIR&"
        "1.2.250.1.213.1.4.8&ISO^INS||DUPONT^JEAN^JEAN^^^^L||19800312|M"
        "|||^^^^^FRA^BDL^^2B020|||||||||||||||||||N||VALI\r"
    )

    def receive(text: str):  # type: ignore[no-untyped-def]
        return receive_identity(parse_adt(text), own_domain=["OWNAPP^*"], uow=uow_factory(),
                                actor=admin, rules=rules, teleservice=None)  # fmt: skip

    created = receive(a28)
    assert created.outcome is ReceptionOutcome.INTEGRATED
    cx = f"~{NIR.number}^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS"
    result = receive(_a47(cx, "PROV"))
    assert result.outcome is ReceptionOutcome.APPLIED, result.detail
    with uow_factory() as uow:
        stored = uow.identities.get(created.identity_id)
    assert stored.status is IdentityStatus.RETRIEVED and stored.ins == NIR
    assert stored.validation is None
