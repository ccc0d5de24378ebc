"""CDA R2 ``recordTarget/patientRole`` as the ANS reference document (CI-SIS en-tête).

Mapping (ENCODINGS.md §6, schematron ``recordTarget_fr.sch``):

* ``id``: the INS (``@root`` = OID, ``@extension`` = matricule) only when the view
  carries it, then the IPP (``@root`` = facility OID);
* one ``name``: ``family@BR`` birth name, ``given@BR`` first birth first name,
  ``family@CL`` / ``given@CL`` used name / first name when filled, ``given``
  without qualifier = the list of birth first names;
* ``administrativeGenderCode`` M/F/U (codeSystem 2.16.840.1.113883.5.1);
* ``birthTime`` ``AAAAMMJJ`` (an exceptional date is sent completed, as the
  SI-SDO rules do: day -> 01, month -> 01, both -> 31/12);
* ``birthplace/place/addr/county`` = the INSEE code.

CDA has no place for the status: the presence of an INS root means qualified.
``schemas/cda-recordtarget.xsd`` is a hand-written subset of the CDA R2 schema for
exactly these elements (the full HL7 schema is not shipped; docs/diffusion.md).
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from identito.domain.diffusion import DiffusionView, ExportContext
from identito.domain.traits import Sex

NS = "urn:hl7-org:v3"
GENDER_SYSTEM = "2.16.840.1.113883.5.1"
GENDER = {Sex.MALE: ("M", "Masculin"), Sex.FEMALE: ("F", "Féminin"),
          Sex.INDETERMINATE: ("U", "Inconnu")}  # fmt: skip
SCHEMA_PATH = Path(__file__).parent / "schemas" / "cda-recordtarget.xsd"
CDA_MEDIA_TYPE = "application/xml"


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{NS}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def record_target(view: DiffusionView, context: ExportContext) -> etree._Element:
    root = etree.Element(f"{{{NS}}}recordTarget", nsmap={None: NS})
    role = _sub(root, "patientRole")
    if view.ins is not None:
        _sub(role, "id", root=view.ins.oid.value, extension=view.ins.number.number)
    _sub(role, "id", root=context.facility_oid, extension=str(view.identity_id))
    patient = _sub(role, "patient", classCode="PSN")
    t = view.traits
    name = _sub(patient, "name")
    _sub(name, "family", t.birth_name, qualifier="BR")
    _sub(name, "given", t.first_birth_first_name, qualifier="BR")
    if t.used_name:
        _sub(name, "family", t.used_name, qualifier="CL")
    if t.used_first_name:
        _sub(name, "given", t.used_first_name, qualifier="CL")
    _sub(name, "given", " ".join(t.birth_first_names) or t.first_birth_first_name)
    code, label = GENDER[t.sex]
    _sub(patient, "administrativeGenderCode", code=code, displayName=label,
         codeSystem=GENDER_SYSTEM)  # fmt: skip
    _sub(patient, "birthTime", value=view.birth_date.strftime("%Y%m%d"))
    addr = _sub(_sub(_sub(patient, "birthplace"), "place"), "addr")
    _sub(addr, "county", t.birth_place_code)
    return root


def render_record_target(view: DiffusionView, context: ExportContext) -> bytes:
    return etree.tostring(
        record_target(view, context), xml_declaration=True, encoding="UTF-8", pretty_print=True
    )


def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))
