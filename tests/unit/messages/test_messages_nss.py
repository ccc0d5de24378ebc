"""The billing NSS in the diffusion formats (issue 17 point 1, R-TR-20): HL7 v2 PID-3
type ``NH`` (IHE France App. N), FR Core slice ``NSS-NIR`` / ``NSS-NIA``; never an INS."""

from __future__ import annotations

from dataclasses import replace

from diffusion_cases import CASES, CONTEXT
from fr_core_checker import check_patient
from identito.domain.diffusion import diffusion_view
from identito.domain.nss import Nss, NssHolder, NssOid
from identito.messages import fhir, hl7v2

NSS = Nss("180037511600178", NssOid.NIR, NssHolder.OUVRANT_DROIT)


def _view(case: str, nss: Nss = NSS, *, may_read_ins: bool = True):  # type: ignore[no-untyped-def]
    identity = CASES[case]()
    identity.nss = nss
    return diffusion_view(identity, may_read_ins=may_read_ins)


def _pid3(case: str, nss: Nss = NSS) -> list[list[str]]:
    text = hl7v2.person(_view(case, nss), CONTEXT).text
    pid = next(s for s in text.split("\r") if s.startswith("PID"))
    return [r.split("^") for r in pid.split("|")[3].split("~")]


def test_hl7_pid3_carries_the_nss_as_nh_with_the_app_n_authority_whatever_the_status() -> None:
    for case in ("prov", "recup", "qual"):
        nh = [r for r in _pid3(case) if r[4] == "NH"]
        assert nh == [["180037511600178", "", "", "ASIP-SANTE-NIR&1.2.250.1.213.1.4.8&ISO", "NH"]]


def test_hl7_never_types_the_nss_as_an_ins() -> None:
    assert [r for r in _pid3("prov") if r[4] == "INS"] == []
    qual = [r[0] for r in _pid3("qual") if r[4] == "INS"]
    assert qual == ["279035121518989"]  # the matricule only, not the NSS


def test_an_nia_nss_keeps_its_own_namespace_in_hl7() -> None:
    nia = replace(NSS, oid=NssOid.NIA)
    (nh,) = [r for r in _pid3("prov", nia) if r[4] == "NH"]
    assert nh[3] == "ASIP-SANTE-NIA&1.2.250.1.213.1.4.9&ISO"


def test_fhir_sends_the_nss_in_the_fr_core_nss_slice_and_stays_conformant() -> None:
    patient = fhir.patient_resource(_view("prov"), CONTEXT)
    nss = [i for i in patient["identifier"] if i["type"]["coding"][0]["code"] == "NH"]
    assert nss == [{
        "use": "official",
        "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                             "code": "NH", "display": "National Health Plan Identifier"}]},
        "system": "urn:oid:1.2.250.1.213.1.4.13",
        "value": "180037511600178",
    }]  # fmt: skip
    assert check_patient(patient) == []


def test_fhir_leaves_the_nss_out_of_the_ins_profile_where_fr_core_2_allows_one_official() -> None:
    patient = fhir.patient_resource(_view("qual"), CONTEXT)
    systems = [i["system"] for i in patient["identifier"]]
    assert "urn:oid:1.2.250.1.213.1.4.13" not in systems
    assert next(i for i in patient["identifier"] if i["use"] == "official")["value"] == (
        "279035121518989"
    )
    assert check_patient(patient) == []


def test_an_actor_without_ins_read_gets_no_nss_either() -> None:
    assert _view("prov", may_read_ins=False).nss is None
    assert _view("prov").nss == NSS
