"""FHIR R4 Patient conforming to FR Core 2.2.0 (``fr-core-patient-ins`` / ``fr-core-patient``).

A view carrying a matricule is rendered with the INS profile: one INS identifier
slice (INS-NIR, INS-NIA, INS-NIR-TEST or INS-NIR-DEMO, ``use=official``), the
birth place with its INSEE code, the official name (birth name, first birth first
name, ``birth-list-given-name`` extension). Any other view uses ``fr-core-patient``
without INS: FR Core says the matricule only travels for a qualified identity.

Choices where the sources disagree (docs/diffusion.md):

* status codes come from the *published* 2.2.0 CodeSystem ``fr-core-cs-v2-0445``
  (``common.STATUS_0445``); attributes repeat the ``identityReliability``
  extension with ``DOUT`` / ``FICT`` / ``HOMA`` (FR Core issue #112);
* ``validationMode`` is sent only when the document code is in the value set the
  profile binds (required): ``{PA, CN, AN, LE}`` for the INS profile;
* births abroad (``99xxx``) use the TRE_R20 country system, which the 2.2.0
  required binding of ``fr-core-address-insee-code`` does not include (known gap);
* sex ``I`` (indéterminé) becomes ``unknown`` (the value set has no ``other``);
* former matricules of the same person (R-MO-05, ``DiffusionView.former_ins``) follow
  the current INS with ``use=old``, which the INS-NIR / INS-NIA slices allow
  (``fr-core-vs-patient-identifier-use-ins``);
* the billing NSS (R-TR-20) goes in the ``NSS-NIR`` / ``NSS-NIA`` slice of
  ``fr-core-patient`` (type ``NH``, ``use=official``) only when the view carries no
  INS: in ``fr-core-patient-ins`` the invariant fr-core-2 allows one ``official``
  identifier when VALI, and the NSS slice fixes ``use=official`` (ENCODINGS.md §10.4).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson

from identito.domain.diffusion import DiffusionView, ExportContext
from identito.domain.identifiers import InsKind
from identito.domain.nss import Nss
from identito.domain.traits import Sex
from identito.messages.common import STATUS_0445, born_abroad, status_codes

FR_CORE = "https://hl7.fr/ig/fhir/core"
PROFILE_INS = f"{FR_CORE}/StructureDefinition/fr-core-patient-ins"
PROFILE_PATIENT = f"{FR_CORE}/StructureDefinition/fr-core-patient"
EXT_RELIABILITY = f"{FR_CORE}/StructureDefinition/fr-core-identity-reliability"
EXT_BIRTH_LIST = f"{FR_CORE}/StructureDefinition/fr-core-patient-birth-list-given-name"
EXT_BIRTHDATE_UPDATE = f"{FR_CORE}/StructureDefinition/fr-core-patient-birthdate-update-indicator"
EXT_INSEE_CODE = f"{FR_CORE}/StructureDefinition/fr-core-address-insee-code"
EXT_BIRTH_PLACE = "http://hl7.org/fhir/StructureDefinition/patient-birthPlace"
CS_0445 = f"{FR_CORE}/CodeSystem/fr-core-cs-v2-0445"
CS_METHOD = f"{FR_CORE}/CodeSystem/fr-core-cs-method-collection"
CS_VALIDATION_MODE = f"{FR_CORE}/CodeSystem/fr-core-cs-mode-validation-identity"
CS_FR_0203 = f"{FR_CORE}/CodeSystem/fr-core-cs-v2-0203"
CS_V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"
TRE_R13 = "https://mos.esante.gouv.fr/NOS/TRE_R13-CommuneOM/FHIR/TRE-R13-CommuneOM"
TRE_R20 = "https://mos.esante.gouv.fr/NOS/TRE_R20-Pays/FHIR/TRE-R20-Pays"
FHIR_JSON = "application/fhir+json"

#: Identifier type code of each kind of matricule (FR Core ``fr-core-cs-v2-0203``).
INS_TYPE_CODE: dict[InsKind, str] = {
    InsKind.NIR: "INS-NIR",
    InsKind.NIA: "INS-NIA",
    InsKind.NIR_TEST: "INS-NIR-TEST",
    InsKind.NIR_DEMO: "INS-NIR-DEMO",
}
GENDER = {Sex.MALE: "male", Sex.FEMALE: "female", Sex.INDETERMINATE: "unknown"}
#: ``validationMode`` value sets: required binding of each profile (2.2.0).
VALIDATION_MODES_INS = frozenset({"PA", "CN", "AN", "LE"})
VALIDATION_MODES = frozenset(
    {"AN", "CC", "CE", "CM", "CN", "CS", "LE", "PA", "PC", "TC", "DC", "AC", "IE"}
)


def _coding(system: str, code: str) -> dict[str, str]:
    return {"system": system, "code": code}


def _instant(value: datetime) -> str:
    return value.isoformat(timespec="seconds").replace("+00:00", "Z")


def _identifiers(view: DiffusionView, context: ExportContext) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if view.ins is not None:
        found.append(
            {
                "use": "official",
                "type": {"coding": [_coding(CS_FR_0203, INS_TYPE_CODE[view.ins.kind])]},
                "system": f"urn:oid:{view.ins.oid.value}",
                "value": view.ins.number.number,
            }
        )
    for former in view.former_ins:  # R-MO-05: the same person's former matricules
        found.append(
            {
                "use": "old",
                "type": {"coding": [_coding(CS_FR_0203, INS_TYPE_CODE[former.kind])]},
                "system": f"urn:oid:{former.oid.value}",
                "value": former.number.number,
            }
        )
    if view.nss is not None and view.ins is None:
        found.append(_nss(view.nss))
    pi = {**_coding(CS_V2_0203, "PI"), "display": "Patient internal identifier"}
    # FR Core (PI slice): « old » marks an IPP deactivated by a merge of identities.
    found.append(
        {
            "use": "usual" if view.active else "old",
            "type": {"coding": [pi]},
            "system": f"urn:oid:{context.facility_oid}",
            "value": str(view.identity_id),
        }
    )
    return found


def _nss(nss: Nss) -> dict[str, Any]:
    """FR Core ``fr-core-patient`` slice ``NSS-NIR`` / ``NSS-NIA``: type ``v2-0203#NH``,
    system ``urn:oid:1.2.250.1.213.1.4.13`` / ``.14``, use fixed ``official`` (R-TR-20)."""
    nh = {**_coding(CS_V2_0203, "NH"), "display": "National Health Plan Identifier"}
    return {
        "use": "official",
        "type": {"coding": [nh]},
        "system": f"urn:oid:{nss.oid.value}",
        "value": nss.number,
    }


def _names(view: DiffusionView) -> list[dict[str, Any]]:
    traits = view.traits
    listed = " ".join(traits.birth_first_names) or traits.first_birth_first_name
    names: list[dict[str, Any]] = [
        {
            "extension": [{"url": EXT_BIRTH_LIST, "valueString": listed}],
            "use": "official",
            "family": traits.birth_name,
            "given": [traits.first_birth_first_name],
        }
    ]
    if traits.used_name or traits.used_first_name:
        usual: dict[str, Any] = {"use": "usual"}
        if traits.used_name:
            usual["family"] = traits.used_name
        if traits.used_first_name:
            usual["given"] = [traits.used_first_name]
        names.append(usual)
    return names


def _birth_place(view: DiffusionView) -> dict[str, Any]:
    code = view.traits.birth_place_code
    system = TRE_R20 if born_abroad(view) else TRE_R13
    insee = {"url": EXT_INSEE_CODE, "valueCoding": _coding(system, code)}
    return {"url": EXT_BIRTH_PLACE, "valueAddress": {"extension": [insee]}}


def _reliability(view: DiffusionView) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = [
        {"url": "identityStatus", "valueCoding": _coding(CS_0445, STATUS_0445[view.status])}
    ]
    if view.collection_method is not None:
        method = _coding(CS_METHOD, view.collection_method.value)
        parts.append({"url": "methodCollection", "valueCoding": method})
    if view.insi_called_at is not None:
        parts.append({"url": "dateCollection", "valueDate": view.insi_called_at.date().isoformat()})
    if view.validation is not None:
        validated = view.validation.validated_at.date().isoformat()
        parts.append({"url": "validationDate", "valueDate": validated})
        allowed = VALIDATION_MODES_INS if view.ins is not None else VALIDATION_MODES
        if view.validation.document_type in allowed:
            mode = _coding(CS_VALIDATION_MODE, view.validation.document_type)
            parts.append({"url": "validationMode", "valueCoding": mode})
    extensions = [{"extension": parts, "url": EXT_RELIABILITY}]
    for code in status_codes(view)[1:]:  # attributes, then RECD
        status = {"url": "identityStatus", "valueCoding": _coding(CS_0445, code)}
        extensions.append({"extension": [status], "url": EXT_RELIABILITY})
    return extensions


def patient_resource(view: DiffusionView, context: ExportContext) -> dict[str, Any]:
    """The Patient resource of a diffusion view (a JSON-ready dict)."""
    profile = PROFILE_INS if view.ins is not None else PROFILE_PATIENT
    meta: dict[str, Any] = {"profile": [profile]}
    if view.updated_at is not None:
        meta["lastUpdated"] = _instant(view.updated_at)
    resource = {
        "resourceType": "Patient",
        "id": str(view.identity_id),
        "meta": meta,
        "extension": [
            _birth_place(view),
            *_reliability(view),
            {"url": EXT_BIRTHDATE_UPDATE, "valueBoolean": view.birth_date_uncertain},
        ],
        "identifier": _identifiers(view, context),
        "active": view.active,
        "name": _names(view),
        "gender": GENDER[view.traits.sex],
        "birthDate": view.birth_date.isoformat(),
    }
    links = _links(view)
    return {**resource, "link": links} if links else resource


def _links(view: DiffusionView) -> list[dict[str, Any]]:
    """Merges: replaced-by on the merged identity (inactive, kept for history), and
    replaces on its survivor, one per merge not undone."""
    links = [_link("replaces", merged) for merged in view.replaces]
    if not view.active and view.merged_into is not None:
        links.insert(0, _link("replaced-by", view.merged_into))
    return links


def _link(kind: str, other: object) -> dict[str, Any]:
    return {"other": {"reference": f"Patient/{other}"}, "type": kind}


def dumps(resource: dict[str, Any]) -> bytes:
    return orjson.dumps(resource, option=orjson.OPT_INDENT_2) + b"\n"


def render_patient(view: DiffusionView, context: ExportContext) -> bytes:
    return dumps(patient_resource(view, context))


def searchset(resources: list[dict[str, Any]], base_url: str, now: datetime) -> dict[str, Any]:
    """A ``searchset`` Bundle of Patient resources."""
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "timestamp": _instant(now),
        "total": len(resources),
        "entry": [
            {
                "fullUrl": f"{base_url}/Patient/{r['id']}",
                "resource": r,
                "search": {"mode": "match"},
            }
            for r in resources
        ],
    }


def operation_outcome(code: str, diagnostics: str, severity: str = "error") -> dict[str, Any]:
    """An OperationOutcome with one issue (FHIR ``issue-type`` code)."""
    issue = {"severity": severity, "code": code, "diagnostics": diagnostics}
    return {"resourceType": "OperationOutcome", "issue": [issue]}


SEARCH_PARAMS = (
    ("birthdate", "date", "Date de naissance (AAAA-MM-JJ) ; obligatoire sans identifier"),
    ("family", "string", "Début du nom de naissance ou utilisé"),
    ("given", "string", "Début d'un prénom"),
    ("gender", "token", "male | female | unknown"),
    (
        "identifier",
        "token",
        "Matricule INS : urn:oid:<OID>|<matricule> ; NSS de facturation : "
        "urn:oid:1.2.250.1.213.1.4.13|<NSS> (ou .14 pour un NIA)",
    ),
)


def capability_statement(base_url: str, now: datetime, version: str) -> dict[str, Any]:
    """What the read-only FHIR API offers."""
    params = [
        {"name": name, "type": kind, "documentation": doc} for name, kind, doc in SEARCH_PARAMS
    ]
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": _instant(now),
        "kind": "instance",
        "software": {"name": "identito", "version": version},
        "implementation": {"description": "identito — référentiel d'identités", "url": base_url},
        "fhirVersion": "4.0.1",
        "format": ["json"],
        "implementationGuide": [f"{FR_CORE}/ImplementationGuide/hl7.fhir.fr.core|2.2.0"],
        "rest": [
            {
                "mode": "server",
                "security": {
                    "service": [{"coding": [_coding(
                        "http://terminology.hl7.org/CodeSystem/restful-security-service",
                        "OAuth",
                    )]}],
                    "description": "Authorization: Bearer <jeton> (POST /api/v1/auth/token).",
                },
                "resource": [
                    {
                        "type": "Patient",
                        "profile": PROFILE_PATIENT,
                        "supportedProfile": [PROFILE_INS],
                        "interaction": [{"code": "read"}, {"code": "search-type"}],
                        "searchParam": params,
                    }
                ],
            }
        ],
    }  # fmt: skip
