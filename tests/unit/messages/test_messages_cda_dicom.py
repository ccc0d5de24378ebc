"""CDA recordTarget (lxml + the subset XSD + the ANS INS assertions) and DICOM (pydicom)."""

from __future__ import annotations

from io import BytesIO

import pydicom
import pytest
from lxml import etree

from diffusion_cases import CASES, CONTEXT, GOLDEN, REFERENCE_DIR, view
from identito.messages import cda

NS = {"h": "urn:hl7-org:v3"}
INS_ROOTS = {f"1.2.250.1.213.1.4.{n}" for n in (8, 9, 10, 11)}
ANS_EXCERPT = (
    REFERENCE_DIR
    / "cda"
    / "ans-testcontenucda-3.0_01_Modeles_contenus_CDA_recordTarget-excerpt.xml"
)


def _ins_assertion(record: etree._Element) -> list[str]:
    """The ANS schematron rule: an INS root makes every INS trait mandatory."""
    roots = set(record.xpath("h:patientRole/h:id/@root", namespaces=NS))
    if not roots & INS_ROOTS:
        return []
    required = (
        "h:patientRole/h:patient/h:name/h:family[@qualifier='BR']",
        "h:patientRole/h:patient/h:name/h:given[@qualifier='BR']",
        "h:patientRole/h:patient/h:name/h:given[not(@qualifier)]",
        "h:patientRole/h:patient/h:birthTime",
        "h:patientRole/h:patient/h:birthplace/h:place/h:addr/h:county",
        "h:patientRole/h:patient/h:administrativeGenderCode/@code",
    )
    return [path for path in required if not record.xpath(path, namespaces=NS)]


@pytest.mark.parametrize("case", CASES)
def test_each_golden_record_target_is_schema_valid_and_passes_the_ins_assertion(
    case: str,
) -> None:
    record = etree.fromstring((GOLDEN / f"{case}.cda.xml").read_bytes())
    cda.schema().assertValid(record)
    assert _ins_assertion(record) == []
    has_ins = bool(set(record.xpath("h:patientRole/h:id/@root", namespaces=NS)) & INS_ROOTS)
    assert has_ins is (view(case).ins is not None)


def test_the_name_is_structured_like_the_ans_reference_excerpt() -> None:
    text = ANS_EXCERPT.read_text(encoding="utf-8")
    ans = etree.fromstring(
        f'<recordTarget xmlns="urn:hl7-org:v3">{text.split("<recordTarget>")[1]}'
    )
    ours = cda.record_target(view("qual-test-oid"), CONTEXT)

    def shape(record: etree._Element) -> list[tuple[str, str | None, str | None]]:
        name = record.find("h:patientRole/h:patient/h:name", NS)
        return [
            (etree.QName(e).localname, e.get("qualifier"), e.text)
            for e in name
            if isinstance(e.tag, str)
        ]

    wanted = [e for e in shape(ans) if e[1] != "CL"]  # no used name in this case
    assert shape(ours) == [("family", "BR", "PAT-TROIS"), ("given", "BR", "DOMINIQUE"), wanted[-1]]
    assert ours.find("h:patientRole/h:id", NS).attrib == ans.find("h:patientRole/h:id", NS).attrib
    county = "h:patientRole/h:patient/h:birthplace/h:place/h:addr/h:county"
    assert ours.findtext(county, namespaces=NS) == ans.findtext(county, namespaces=NS)


def test_the_schema_refuses_a_family_name_without_qualifier() -> None:
    record = cda.record_target(view("prov"), CONTEXT)
    del record.find(".//h:family", NS).attrib["qualifier"]
    assert not cda.schema().validate(record)


def test_used_name_and_first_name_carry_the_cl_qualifier() -> None:
    record = cda.record_target(view("corsica"), CONTEXT)
    assert record.xpath("//h:given[@qualifier='CL']/text()", namespaces=NS) == ["JC"]
    assert record.xpath("//h:county/text()", namespaces=NS) == ["2B020"]


@pytest.mark.parametrize("case", CASES)
def test_each_golden_dicom_file_reads_back_with_pydicom(case: str) -> None:
    ds = pydicom.dcmread(BytesIO((GOLDEN / f"{case}.dcm").read_bytes()))
    expected = view(case)
    assert (
        str(ds.PatientName)
        == f"{expected.traits.birth_name}^{expected.traits.first_birth_first_name}"
    )
    assert ds.PatientID == str(expected.identity_id)
    assert ds.PatientBirthDate == expected.birth_date.strftime("%Y%m%d")
    assert ds.IssuerOfPatientIDQualifiersSequence[0].UniversalEntityID == "2.25.1234"
    if expected.ins is None:
        assert "OtherPatientIDsSequence" not in ds
        return
    (other,) = ds.OtherPatientIDsSequence
    assert other.PatientID == expected.ins.number.number
    assert other.IssuerOfPatientID.startswith("ASIP-SANTE-INS-")
    qualifiers = other.IssuerOfPatientIDQualifiersSequence[0]
    assert (qualifiers.UniversalEntityID, qualifiers.UniversalEntityIDType) == (
        expected.ins.oid.value, "ISO",
    )  # fmt: skip
    assert qualifiers.IdentifierTypeCode == "INS"
