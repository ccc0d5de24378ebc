"""A FR Core Patient (``fr-core-patient-ins`` / ``fr-core-patient``) received through
``POST``/``PUT /fhir/Patient``, read as plain JSON into a ``ReceivedIdentity``.

* the INS: the identifier whose system is an INS OID (``urn:oid:1.2.250.1.213.1.4.8``
  NIR, ``.9`` NIA, ``.10`` test, ``.11`` demo) or whose type is ``INS-*``; the NIR
  when a NIR and a NIA are both sent, whatever their order (PAM FR §4.4.1); an
  ``INS-C`` (type or system ``…4.2``) or an ``INS-*`` typed identifier with an NSS
  system is read so that the reception refuses it as INS with its reason (R-TR-19);
  the FR Core ``NSS-NIR`` / ``NSS-NIA`` slices (type ``NH``) never count (R-TR-20);
* the sender's status: ``identityStatus`` of the ``fr-core-identity-reliability``
  extension (``VALI`` in 2.2.0, ``QUAL`` in the dev version); attributes from its
  ``comment`` sub-extension or extra ``identityStatus`` repetitions; the document
  the sender checked from its ``validationMode`` (FR Core carries no expiry);
* traits: the ``official`` name (family = birth name, ``given[0]`` = first birth first
  name, the ``fr-core-patient-birth-list-given-name`` extension = the list), the
  ``usual`` name (used name and first name), ``birthDate``, ``gender``, the INSEE code
  of the ``patient-birthPlace`` extension; the ``fr-core-patient-birthdate-update-indicator``
  extension (``valueBoolean`` true: the birth date was corrected, as HL7 ZFD-4).

``FhirRejected`` lists what makes the resource unusable (answered as an
OperationOutcome).
"""

from __future__ import annotations

import json
from typing import Any

from identito.domain.identifiers import INS_C_OIDS
from identito.services.reception_model import (
    ReceivedIdentity,
    Reception,
    Sender,
    TransmittedIns,
    preferred_ins,
)

INS_OIDS = {
    "1.2.250.1.213.1.4.8",
    "1.2.250.1.213.1.4.9",
    "1.2.250.1.213.1.4.10",
    "1.2.250.1.213.1.4.11",
}
RELIABILITY = "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-identity-reliability"
BIRTH_LIST = "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-patient-birth-list-given-name"
BIRTH_PLACE = "http://hl7.org/fhir/StructureDefinition/patient-birthPlace"
INSEE_CODE = "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-address-insee-code"
BIRTH_DATE_UPDATE = (
    "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-patient-birthdate-update-indicator"
)
GENDERS = {"male": "M", "female": "F", "other": "I", "unknown": "I"}


class FhirRejected(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ; ".join(problems))
        self.problems = problems


def parse_patient(text: str, *, sender: Sender, method: str) -> Reception:
    try:
        resource = json.loads(text)
    except json.JSONDecodeError as error:
        raise FhirRejected([f"JSON invalide : {error.msg} (ligne {error.lineno})."]) from None
    if not isinstance(resource, dict) or resource.get("resourceType") != "Patient":
        raise FhirRejected(["La ressource doit être un Patient (resourceType)."])
    official = _name(resource, "official")
    if not official.get("family"):
        raise FhirRejected(["Nom de naissance absent (name de use « official », family)."])
    given = [str(g) for g in official.get("given") or []]
    listed = _extension_value(official, BIRTH_LIST, "valueString")
    usual = _name(resource, "usual")
    traits = {
        "birth_name": official.get("family"),
        "first_birth_first_name": given[0] if given else None,
        "birth_first_names": str(listed).split() if listed else given[:1],
        "birth_date": resource.get("birthDate"),
        "sex": GENDERS.get(str(resource.get("gender")), resource.get("gender")),
        "birth_place_code": _birth_place(resource),
        "used_name": usual.get("family") if usual else None,
        "used_first_name": (usual.get("given") or [None])[0] if usual else None,
        "birth_date_corrected": _extension_value(resource, BIRTH_DATE_UPDATE, "valueBoolean")
        is True,
    }
    statuses = _statuses(resource)
    identity = ReceivedIdentity(
        traits={k: v for k, v in traits.items() if v not in (None, "", False)},
        ins=_ins(resource),
        sender_status=statuses[0] if statuses else None,
        attributes=tuple(statuses[1:]),
        local_id=str(resource.get("id")) if resource.get("id") else None,
        document_type=_validation_mode(resource),
    )
    return Reception("fhir", text, sender, method, resource.get("id"), identity)


def _name(resource: dict[str, Any], use: str) -> dict[str, Any]:
    names = [n for n in resource.get("name") or [] if isinstance(n, dict)]
    return next((n for n in names if n.get("use") == use), {} if use != "official" else
                (names[0] if names else {}))  # fmt: skip


def _extension_value(element: dict[str, Any], url: str, key: str) -> Any:
    for extension in element.get("extension") or []:
        if isinstance(extension, dict) and extension.get("url") == url:
            return extension.get(key)
    return None


def _ins(resource: dict[str, Any]) -> TransmittedIns | None:
    """The INS identifier; the NIR over the NIA whatever their order (PAM FR §4.4.1)."""
    found: list[TransmittedIns] = []
    for identifier in resource.get("identifier") or []:
        system = str(identifier.get("system") or "").removeprefix("urn:oid:")
        codes = [c.get("code", "") for c in (identifier.get("type") or {}).get("coding") or []]
        if system in INS_OIDS | INS_C_OIDS or any(str(c).startswith("INS-") for c in codes):
            value = str(identifier.get("value") or "").strip()
            if not value:
                return None
            found.append(TransmittedIns(value, system))
    return preferred_ins(found)


def _statuses(resource: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for extension in resource.get("extension") or []:
        if extension.get("url") != RELIABILITY:
            continue
        for sub in extension.get("extension") or []:
            if sub.get("url") == "identityStatus":
                found.append(str((sub.get("valueCoding") or {}).get("code") or ""))
            elif sub.get("url") == "comment":
                codings = (sub.get("valueCodeableConcept") or {}).get("coding") or []
                found.extend(str(c.get("code") or "") for c in codings)
    return [s for s in found if s]


def _validation_mode(resource: dict[str, Any]) -> str | None:
    for extension in resource.get("extension") or []:
        if extension.get("url") != RELIABILITY:
            continue
        for sub in extension.get("extension") or []:
            if sub.get("url") == "validationMode":
                code = str((sub.get("valueCoding") or {}).get("code") or "").strip()
                return code.upper() or None
    return None


def _birth_place(resource: dict[str, Any]) -> str | None:
    address = _extension_value(resource, BIRTH_PLACE, "valueAddress")
    if not isinstance(address, dict):
        return None
    coding = _extension_value(address, INSEE_CODE, "valueCoding")
    return str(coding.get("code")) if isinstance(coding, dict) and coding.get("code") else None
