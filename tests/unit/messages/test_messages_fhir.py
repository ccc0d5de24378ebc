"""FHIR Patient exports: read back by fhir.resources and checked against FR Core 2.2.0."""

from __future__ import annotations

import copy
import json

import pytest
from fhir.resources.R4B.patient import Patient

from diffusion_cases import CASES, CONTEXT, GOLDEN, view
from fr_core_checker import FR_CORE_DIR, check_patient
from identito.messages import fhir


@pytest.mark.parametrize("case", CASES)
def test_each_golden_patient_parses_with_fhir_resources_and_passes_fr_core(case: str) -> None:
    resource = json.loads((GOLDEN / f"{case}.fhir.json").read_bytes())
    Patient.model_validate(resource)
    assert check_patient(resource) == []


def test_the_checker_passes_the_official_fr_core_example_and_catches_broken_resources() -> None:
    example = json.loads((FR_CORE_DIR / "Patient-FRCorePatientExample.json").read_text())
    assert check_patient(example) == []
    broken = fhir.patient_resource(view("qual"), CONTEXT)
    broken["identifier"] = broken["identifier"][1:]  # VALI without the INS
    broken["gender"] = "other"
    problems = check_patient(broken)
    assert any(p.startswith("fr-core-1") for p in problems)
    assert any("gender other" in p for p in problems)


def test_a_qualified_identity_uses_the_ins_profile_with_its_identifier_slice() -> None:
    resource = fhir.patient_resource(view("qual"), CONTEXT)
    assert resource["meta"]["profile"] == [fhir.PROFILE_INS]
    ins = resource["identifier"][0]
    assert (ins["system"], ins["value"], ins["use"]) == (
        "urn:oid:1.2.250.1.213.1.4.8", "279035121518989", "official",
    )  # fmt: skip
    assert ins["type"]["coding"][0]["code"] == "INS-NIR"
    official, usual = resource["name"]
    assert official["given"] == ["DOMINIQUE"]
    assert official["extension"][0]["valueString"] == "DOMINIQUE MARIE-LOUISE"
    assert usual == {"use": "usual", "family": "MARTIN"}


@pytest.mark.parametrize(
    ("case", "slice_code", "system"),
    [
        ("nia", "INS-NIA", "urn:oid:1.2.250.1.213.1.4.9"),
        ("qual-test-oid", "INS-NIR-TEST", "urn:oid:1.2.250.1.213.1.4.10"),
    ],
)
def test_nia_and_test_matricules_use_their_own_slices(
    case: str, slice_code: str, system: str
) -> None:
    identifier = fhir.patient_resource(view(case), CONTEXT)["identifier"][0]
    assert (identifier["type"]["coding"][0]["code"], identifier["system"]) == (slice_code, system)


@pytest.mark.parametrize("case", ["vali-homonym", "recup", "prov", "exceptional-date"])
def test_identities_without_a_diffusable_ins_use_fr_core_patient_without_matricule(
    case: str,
) -> None:
    resource = fhir.patient_resource(view(case), CONTEXT)
    assert resource["meta"]["profile"] == [fhir.PROFILE_PATIENT]
    assert "279035121518989" not in json.dumps(resource)
    assert [i["type"]["coding"][0]["code"] for i in resource["identifier"]] == ["PI"]


def test_status_and_attributes_travel_as_identity_reliability_codes() -> None:
    resource = fhir.patient_resource(view("vali-homonym"), CONTEXT)
    codes = [
        part["valueCoding"]["code"]
        for ext in resource["extension"]
        if ext["url"] == fhir.EXT_RELIABILITY
        for part in ext["extension"]
        if part["url"] == "identityStatus"
    ]
    assert codes == ["VALI", "HOMA"]
    recup = fhir.patient_resource(view("recup"), CONTEXT)
    assert recup["extension"][1]["extension"][0]["valueCoding"]["code"] == "PROV"


def test_an_exceptional_birth_date_is_sent_completed_with_the_update_indicator() -> None:
    resource = fhir.patient_resource(view("exceptional-date"), CONTEXT)
    assert resource["birthDate"] == "1979-12-31"
    indicator = [e for e in resource["extension"] if e["url"] == fhir.EXT_BIRTHDATE_UPDATE]
    assert indicator == [{"url": fhir.EXT_BIRTHDATE_UPDATE, "valueBoolean": True}]


def test_a_validation_mode_outside_the_ins_value_set_is_left_out() -> None:
    resource = copy.deepcopy(fhir.patient_resource(view("qual"), CONTEXT))
    parts = [p["url"] for p in resource["extension"][1]["extension"]]
    assert "validationMode" in parts  # CN is in {PA, CN, AN, LE}
    qual = CASES["qual"]()
    assert qual.validation is not None
    from dataclasses import replace

    from identito.domain.diffusion import diffusion_view

    qual.validation = replace(qual.validation, document_type="CS")
    other = fhir.patient_resource(diffusion_view(qual, may_read_ins=True), CONTEXT)
    assert "validationMode" not in [p["url"] for p in other["extension"][1]["extension"]]
    assert check_patient(other) == []


def test_a_birth_abroad_uses_the_country_system_a_known_fr_core_gap() -> None:
    identity = CASES["prov"]()
    from identito.domain.diffusion import diffusion_view

    abroad = fhir.patient_resource(diffusion_view(identity, may_read_ins=True), CONTEXT)
    abroad["extension"][0]["valueAddress"]["extension"][0]["valueCoding"] = {
        "system": fhir.TRE_R20, "code": "99255",
    }  # fmt: skip
    abroad["meta"]["profile"] = [fhir.PROFILE_INS]
    assert any("inseeCode system" in p for p in check_patient(abroad))


def test_the_bundle_and_the_capability_statement_parse_as_r4b_resources() -> None:
    from fhir.resources.R4B.bundle import Bundle
    from fhir.resources.R4B.capabilitystatement import CapabilityStatement
    from fhir.resources.R4B.operationoutcome import OperationOutcome

    resources = [fhir.patient_resource(view(c), CONTEXT) for c in ("qual", "prov")]
    Bundle.model_validate(fhir.searchset(resources, "http://x/fhir", CONTEXT.now))
    CapabilityStatement.model_validate(fhir.capability_statement("http://x/fhir", CONTEXT.now, "1"))
    OperationOutcome.model_validate(fhir.operation_outcome("not-found", "absent"))


def test_an_identity_received_from_another_domain_carries_recd_in_identity_reliability() -> None:
    from dataclasses import replace

    from diffusion_cases import CONTEXT, view
    from identito.messages.fhir import patient_resource

    resource = patient_resource(replace(view("prov"), received_from_other_domain=True), CONTEXT)
    codes = [
        sub["valueCoding"]["code"]
        for ext in resource["extension"]
        if ext["url"].endswith("fr-core-identity-reliability")
        for sub in ext["extension"]
        if sub["url"] == "identityStatus"
    ]
    assert codes == ["PROV", "RECD"]
