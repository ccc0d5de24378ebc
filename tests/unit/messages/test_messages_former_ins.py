"""Issue 17 point 8 (R-MO-05): the same person's former matricules leave identito with
the current INS, as FHIR ``use: old`` (FR Core ``fr-core-vs-patient-identifier-use-ins``);
a matricule removed as wrong never does."""

from __future__ import annotations

from dataclasses import replace

from diffusion_cases import CASES, CONTEXT, INS_NIA, INS_NIR
from fakes import NOW, make_identity
from fr_core_checker import check_patient
from identito.domain.diffusion import diffusion_view
from identito.domain.events import AuditAction
from identito.domain.identifiers import Ins, Oid
from identito.domain.insi import ReceivedIns
from identito.domain.status import IdentityStatus
from identito.messages import fhir, hl7v2

OTHER_NIR = Ins.parse("180032B02040123", Oid.NIR.value)


def _nia_become_nir():  # type: ignore[no-untyped-def]
    identity = CASES["nia"]()  # qualified with a NIA
    identity.record_ins_retrieval(INS_NIR, now=NOW)  # INSi now answers the NIR
    identity.pop_events()
    return identity


def test_a_nia_replaced_by_insi_is_kept_as_the_same_persons_former_matricule() -> None:
    identity = _nia_become_nir()
    (entry,) = identity.ins_history
    assert entry.ins == INS_NIA and entry.replaced
    assert diffusion_view(identity, may_read_ins=True).former_ins == (INS_NIA,)


def test_fhir_sends_the_former_matricule_with_use_old_and_stays_fr_core_conformant() -> None:
    patient = fhir.patient_resource(diffusion_view(_nia_become_nir(), may_read_ins=True), CONTEXT)
    ins = [i for i in patient["identifier"] if i["system"].startswith("urn:oid:1.2.250.1.213.1.4")]
    assert [(i["use"], i["type"]["coding"][0]["code"], i["value"]) for i in ins] == [
        ("official", "INS-NIR", INS_NIR.number.number),
        ("old", "INS-NIA", INS_NIA.number.number),
    ]
    assert check_patient(patient) == []


def test_hl7_v2_carries_only_the_latest_ins_as_pam_fr_says() -> None:
    text = hl7v2.person(diffusion_view(_nia_become_nir(), may_read_ins=True), CONTEXT).text
    pid3 = next(s for s in text.split("\r") if s.startswith("PID")).split("|")[3]
    assert [r.split("^")[3] for r in pid3.split("~") if r.endswith("^INS")] == [
        "ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO"
    ]


def test_the_insi_inshisto_is_diffused_as_former_matricules_test_oids_left_out() -> None:
    identity = CASES["qual"]()
    identity.insi_history = (
        ReceivedIns(OTHER_NIR.number.number, Oid.NIR.value, "20200101", "20240101"),
        ReceivedIns(INS_NIR.number.number, Oid.NIR.value),  # the current one: not again
        ReceivedIns("279035121518989", Oid.NIR_TEST.value),  # use fixed official in FR Core
        ReceivedIns("279035121518989", "1.2.250.1.213.1.4.2"),  # not an INS OID
    )
    assert diffusion_view(identity, may_read_ins=True).former_ins == (OTHER_NIR,)


def test_a_matricule_removed_as_wrong_or_typed_is_never_a_former_one() -> None:
    identity = make_identity(IdentityStatus.PROVISIONAL)
    identity.change_ins(OTHER_NIR, may_change_protected=True, now=NOW)  # typed: a correction
    identity.record_ins_retrieval(INS_NIR, now=NOW)  # INSi gives another one
    assert [e.replaced for e in identity.ins_history] == [False]
    identity.invalidate_ins(reason="traits stricts modifiés", now=NOW)
    assert [e.replaced for e in identity.ins_history] == [False, False]


def test_no_former_matricule_travels_without_a_diffused_ins() -> None:
    identity = _nia_become_nir()
    assert diffusion_view(identity, may_read_ins=False).former_ins == ()
    recup = CASES["recup"]()
    recup.record_ins_retrieval(OTHER_NIR, now=NOW)
    assert diffusion_view(recup, may_read_ins=True).former_ins == ()


def test_only_a_trait_change_that_moves_nothing_else_is_propagated_itself() -> None:
    identity = CASES["qual"]()
    identity.change_traits(
        *_traits(identity, used_name="BERNARD"), may_change_protected=True, now=NOW
    )
    (event,) = identity.pop_events()
    assert event.action is AuditAction.TRAITS_CHANGED and event.propagate
    identity.change_traits(
        *_traits(identity, birth_name="PAT-QUATRE"), may_change_protected=True, now=NOW
    )
    events = identity.pop_events()
    assert events[0].action is AuditAction.TRAITS_CHANGED and not events[0].propagate
    assert [e.action for e in events[1:] if e.propagate] == [
        AuditAction.INS_INVALIDATED,
        AuditAction.STATUS_CHANGED,
    ]


def _traits(identity, **changes):  # type: ignore[no-untyped-def]
    return replace(identity.traits, **changes), identity.warnings
