"""Reading received HL7 v2 PAM FR messages: the public ANS examples and broken ones."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from identito.messages.fhir_reception import FhirRejected, parse_patient
from identito.messages.hl7v2_reception import Hl7Rejected, ack, parse_adt, read_header
from identito.services.reception_model import Sender
from reference import INTEROP

PAM = INTEROP / "hl7v2-pam-fr"
NOW = datetime(2026, 3, 16, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize("name", ["ans-sgl-admission-ADT_A01.er7", "ans-sgl-sortie-ADT_A03.er7"])
def test_the_ans_examples_give_the_identity_the_ins_the_status_and_the_sender(name):
    reception = parse_adt((PAM / name).read_text(encoding="utf-8"))
    identity = reception.identity
    assert identity is not None
    assert (reception.sender.application, reception.sender.facility) == ("GAM", "CHU-X")
    assert identity.traits == {
        "birth_name": "PAT-TROIS",
        "first_birth_first_name": "DOMINIQUE",
        "birth_first_names": ["DOMINIQUE"],
        "birth_date": "1979-03-28",
        "sex": "F",
        "birth_place_code": "63220",
    }
    assert identity.ins is not None
    assert (identity.ins.number, identity.ins.oid) == ("279035121518989", "1.2.250.1.213.1.4.10")
    assert identity.sender_status == "VALI" and identity.qualified_by_sender
    assert identity.local_id == "000003"


def test_an_mdm_message_is_rejected_as_not_adt():
    text = (PAM / "ans-trans-doc-cda-hl7v2-2.1_MDM_T02_CR_Radio_INIT_N1.er7").read_text("utf-8")
    with pytest.raises(Hl7Rejected) as raised:
        parse_adt(text)
    assert (raised.value.ack_code, raised.value.code) == ("AR", "200")


def test_a_deleted_ins_the_used_name_and_attributes_are_read():
    text = (
        "MSH|^~\\&|APP|FAC|IDENTITO|CHU|20240306||ADT^A31^ADT_A05|9|P|2.5\r"
        'PID|1||1900068^^^&350000121&M^PI~""^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS||'
        "^MARIE-CECILE^^^^^D~DARK^JEANNE^JEANNE MARIE CECILE^^Mme^^L||19600530|F|||"
        "^^^^^FRA^BDL^^88154|||||||||||||||||||N||VALI~HOMA\r"
    )
    identity = parse_adt(text).identity
    assert identity is not None and identity.ins is None
    assert identity.traits["birth_first_names"] == ["JEANNE", "MARIE", "CECILE"]
    assert identity.traits["used_first_name"] == "MARIE-CECILE"
    assert identity.attributes == ("HOMA",)


def test_the_ack_names_the_error_in_french_with_escaped_delimiters():
    header = read_header("MSH|^~\\&|APP|FAC|X|Y|2024||ADT^A28^ADT_A05|42|P|2.5")
    error = Hl7Rejected("Date « 1980|03 » invalide", code="102", location="PID^1^7", header=header)
    text = ack(header, "AE", application="IDENTITO", facility="CHU", now=NOW, control_id="1",
               error=error)  # fmt: skip
    segments = text.strip("\r").split("\r")
    assert segments[1] == "MSA|AE|42"
    assert segments[2] == (
        "ERR||PID^1^7|102^Data type error^HL70357|E||||Date « 1980\\F\\03 » invalide"
    )


def test_fhir_patient_without_official_name_is_refused():
    with pytest.raises(FhirRejected):
        parse_patient('{"resourceType": "Patient", "name": []}', sender=Sender("x"), method="POST")


def test_zfd_7_and_zfd_8_give_the_document_the_sender_checked():
    text = (
        "MSH|^~\\&|APP|FAC|IDENTITO|CHU|20240306||ADT^A28^ADT_A05|9|P|2.5\r"
        "PID|1||IPP1^^^FAC&1.2.3&ISO^PI~180032B02040123^^^ASIP-SANTE-INS-NIR&"
        "1.2.250.1.213.1.4.8&ISO^INS||CORSE^ANTHONY^ANTHONY^^^^L||19800302|M|||"
        "^^^^^FRA^BDL^^2B020|||||||||||||||||||N||VALI\r"
        "ZFD|||N|N|INSI|20240306|CN|20310101\r"
    )
    identity = parse_adt(text).identity
    assert identity is not None and identity.qualified_by_sender
    assert (identity.document_type, identity.document_expiry) == ("CN", date(2031, 1, 1))
    unreadable = parse_adt(text.replace("|CN|20310101", "|PA|2031")).identity
    assert unreadable is not None
    assert (unreadable.document_type, unreadable.document_expiry) == ("PA", None)


def test_an_a47_gives_the_former_ins_of_mrg_1_and_an_emptied_ins():
    text = (
        "MSH|^~\\&|APP|FAC|IDENTITO|CHU|20240306||ADT^A47^ADT_A30|9|P|2.5\r"
        'PID|1||IPP1^^^FAC&1.2.3&ISO^PI~""^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS'
        "||CORSE^ANTHONY^ANTHONY^^^^L||19800302|M|||||||||||||||||||||N||PROV\r"
        "MRG|180032B02040123^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS\r"
    )
    reception = parse_adt(text)
    assert reception.event == "A47" and reception.replaced_ins is not None
    assert reception.replaced_ins.number == "180032B02040123"
    assert reception.identity is not None and reception.identity.ins is None
    assert reception.identity.local_id == "IPP1"


def test_fhir_validation_mode_gives_the_document_the_sender_checked():
    patient = {
        "resourceType": "Patient",
        "extension": [
            {
                "url": "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-identity-reliability",
                "extension": [
                    {"url": "identityStatus", "valueCoding": {"code": "QUAL"}},
                    {"url": "validationMode", "valueCoding": {"code": "PA"}},
                ],
            }
        ],
        "name": [{"use": "official", "family": "CORSE", "given": ["ANTHONY"]}],
    }
    identity = parse_patient(json.dumps(patient), sender=Sender("x"), method="PUT").identity
    assert identity is not None
    assert (identity.sender_status, identity.document_type) == ("QUAL", "PA")


def test_an_a40_gives_the_survivor_in_pid_3_and_the_merged_patient_of_mrg_1():
    text = (
        "MSH|^~\\&|APP|FAC|IDENTITO|CHU|20240306||ADT^A40^ADT_A39|10|P|2.5\r"
        "PID|1||IPP1^^^FAC&1.2.3&ISO^PI||CORSE^ANTHONY^ANTHONY^^^^L||19800302|M\r"
        "MRG|IPP2^^^FAC&1.2.3&ISO^PI~180032B02040123^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS\r"
    )
    reception = parse_adt(text)
    assert reception.event == "A40" and reception.merged_patient_id == "IPP2"
    assert reception.identity is not None and reception.identity.local_id == "IPP1"
    assert reception.replaced_ins is not None and reception.replaced_ins.number == "180032B02040123"


def test_the_a40_identito_sends_is_read_back_with_its_merged_id():
    from diffusion_cases import CONTEXT, view
    from identito.messages import hl7v2

    reception = parse_adt(hl7v2.merge(view("qual"), "merged-ipp", CONTEXT).text)
    assert reception.merged_patient_id == "merged-ipp"
    assert reception.identity is not None
    assert reception.identity.local_id == str(view("qual").identity_id)


# -- issue 11: NIR over NIA, ZFD-4, FR Core birth-date update indicator -----------------------

NIA_CX = "280017512345627^^^ASIP-SANTE-INS-NIA&1.2.250.1.213.1.4.9&ISO^INS"
NIR_CX = "180032B02040123^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS"


def _a31(identifiers: str, zfd: str = "") -> str:
    return (
        "MSH|^~\\&|APP|FAC|IDENTITO|CHU|20240306||ADT^A31^ADT_A05|9|P|2.5\r"
        f"PID|1||IPP1^^^FAC&1.2.3&ISO^PI~{identifiers}||CORSE^ANTHONY^ANTHONY^^^^L||19800302|M|||"
        "^^^^^FRA^BDL^^2B020|||||||||||||||||||N||VALI\r" + zfd
    )


@pytest.mark.parametrize("identifiers", [f"{NIA_CX}~{NIR_CX}", f"{NIR_CX}~{NIA_CX}"])
def test_the_nir_wins_over_the_nia_whatever_the_order_of_pid_3(identifiers):
    identity = parse_adt(_a31(identifiers)).identity
    assert identity is not None and identity.ins is not None
    assert (identity.ins.number, identity.ins.oid) == ("180032B02040123", "1.2.250.1.213.1.4.8")


def test_a_nia_alone_is_kept():
    identity = parse_adt(_a31(NIA_CX)).identity
    assert identity is not None and identity.ins is not None
    assert identity.ins.oid == "1.2.250.1.213.1.4.9"


def test_zfd_4_y_marks_the_birth_date_corrected():
    corrected = parse_adt(_a31(NIR_CX, "ZFD|||N|Y|INSI\r")).identity
    assert corrected is not None and corrected.traits["birth_date_corrected"] is True
    plain = parse_adt(_a31(NIR_CX, "ZFD|||N|N|INSI\r")).identity
    assert plain is not None and "birth_date_corrected" not in plain.traits


def _fhir(**changes):  # type: ignore[no-untyped-def]
    nir = {"system": "urn:oid:1.2.250.1.213.1.4.8", "value": "180032B02040123"}
    nia = {"system": "urn:oid:1.2.250.1.213.1.4.9", "value": "280017512345627"}
    patient = {
        "resourceType": "Patient",
        "identifier": [nia, nir],
        "name": [{"use": "official", "family": "CORSE", "given": ["ANTHONY"]}],
        **changes,
    }
    return parse_patient(json.dumps(patient), sender=Sender("x"), method="POST").identity


def test_the_fhir_nir_identifier_wins_over_the_nia_whatever_the_order():
    for identity in (_fhir(), _fhir(identifier=list(reversed(_fhir_ids())))):
        assert identity is not None and identity.ins is not None
        assert identity.ins.oid == "1.2.250.1.213.1.4.8"


def _fhir_ids() -> list[dict[str, str]]:
    return [
        {"system": "urn:oid:1.2.250.1.213.1.4.9", "value": "280017512345627"},
        {"system": "urn:oid:1.2.250.1.213.1.4.8", "value": "180032B02040123"},
    ]


def test_the_fhir_birthdate_update_indicator_marks_the_birth_date_corrected():
    url = (
        "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-patient-birthdate-update-indicator"
    )
    identity = _fhir(extension=[{"url": url, "valueBoolean": True}])
    assert identity is not None and identity.traits["birth_date_corrected"] is True
    unset = _fhir(extension=[{"url": url, "valueBoolean": False}])
    assert unset is not None and "birth_date_corrected" not in unset.traits


def test_fhir_dout_and_fict_are_read_from_identity_status_and_comment():
    url = "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-identity-reliability"
    reliability = {
        "url": url,
        "extension": [
            {"url": "identityStatus", "valueCoding": {"code": "PROV"}},
            {"url": "identityStatus", "valueCoding": {"code": "DOUT"}},
            {"url": "comment", "valueCodeableConcept": {"coding": [{"code": "HOMA"}]}},
        ],
    }
    identity = _fhir(extension=[reliability])
    assert identity is not None
    assert (identity.sender_status, identity.attributes) == ("PROV", ("DOUT", "HOMA"))
