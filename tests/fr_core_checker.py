"""A small FR Core 2.2.0 checker reading the StructureDefinitions copied in tests/data/reference.

It checks what a Patient export can break, from the conformance resources
themselves (not from identito's constants):

* every element of the profile's differential with ``min >= 1`` (top-level, the
  official name slice, the identifier slices present, the birth place);
* fixed extension URLs (``fixedUri``) of the sub-extensions;
* ``patternCodeableConcept`` of the identifier slices (system, code, display);
* required bindings: gender, validationMode, identifier ``use`` of INS slices,
  INSEE code system, against the ValueSets / CodeSystems shipped there;
* extensible bindings whose CodeSystem is shipped (codes must exist);
* the invariants fr-core-1/2/3 (hand-translated from their FHIRPath);
* base R4 ``active`` and ``link`` (merges: replaced-by / replaces), by hand.

It is no full FHIR validator (no FHIRPath engine, no snapshot walk): it lists
problems as strings, empty when the resource passes.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from reference import INTEROP

REFERENCE = INTEROP
FR_CORE_DIR = REFERENCE / "fhir-fr-core-2.2.0"
RELIABILITY = "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-identity-reliability"
BIRTH_PLACE = "http://hl7.org/fhir/StructureDefinition/patient-birthPlace"
INSEE = "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-address-insee-code"
BIRTH_LIST = "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-patient-birth-list-given-name"


@cache
def resources() -> dict[str, dict[str, Any]]:
    """Every shipped conformance resource by canonical URL."""
    found = {}
    for path in FR_CORE_DIR.glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        if "url" in data:
            found[data["url"]] = data
    return found


def _canonical(url: str) -> str:
    return url.split("|")[0]


def value_set_codes(url: str) -> tuple[set[str], set[tuple[str, str]]]:
    """(systems included whole, (system, code) pairs) of a shipped ValueSet."""
    vs = resources()[_canonical(url)]
    systems, codes = set(), set()
    for include in vs["compose"]["include"]:
        if "concept" in include:
            codes |= {(include["system"], c["code"]) for c in include["concept"]}
        else:
            systems.add(include["system"])
    return systems, codes


def in_value_set(url: str, system: str, code: str) -> bool:
    """Membership in a shipped ValueSet; a ValueSet not copied here is not checked."""
    if _canonical(url) not in resources():
        return True
    systems, codes = value_set_codes(url)
    if (system, code) in codes:
        return True
    if system in systems:
        cs = resources().get(system)
        return cs is None or code in {c["code"] for c in cs.get("concept", [])}
    return False


def _differential(url: str) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in resources()[url]["differential"]["element"]}


def _binding(sd_url: str, element_id: str) -> dict[str, Any] | None:
    for url in (sd_url, resources()[sd_url].get("baseDefinition", "")):
        if _canonical(url) not in resources():  # the FHIR core definitions are not shipped
            continue
        element = _differential(_canonical(url)).get(element_id)
        if element and "binding" in element:
            return dict(element["binding"])
    return None


def _slice_identifiers(patient: dict[str, Any], profile: str) -> list[str]:
    problems = []
    diff = _differential(profile)
    slices = {
        e["sliceName"]: e for e in diff.values()
        if e["id"].startswith("Patient.identifier:") and e["id"].count(".") == 1
    }  # fmt: skip
    for identifier in patient.get("identifier", []):
        codings = identifier.get("type", {}).get("coding", [])
        for name in slices:
            pattern = diff.get(f"Patient.identifier:{name}.type", {}).get("patternCodeableConcept")
            if not pattern or not all(
                any(all(c.get(k) == v for k, v in p.items()) for c in codings)
                for p in pattern["coding"]
            ):
                continue
            for child in ("use", "type", "system", "value"):
                element = diff.get(f"Patient.identifier:{name}.{child}", {})
                if element.get("min", 0) >= 1 and child not in identifier:
                    problems.append(f"identifier:{name}.{child} missing")
            binding = diff.get(f"Patient.identifier:{name}.use", {}).get("binding")
            use = identifier.get("use", "")
            if (
                binding
                and binding["strength"] == "required"
                and not in_value_set(binding["valueSet"], "http://hl7.org/fhir/identifier-use", use)
            ):
                problems.append(f"identifier:{name}.use {identifier.get('use')} not allowed")
    return problems


def _extensions(items: list[dict[str, Any]], url: str) -> list[dict[str, Any]]:
    return [e for e in items if e.get("url") == url]


def _reliability(patient: dict[str, Any], profile: str) -> list[str]:
    problems = []
    fixed = {
        e["fixedUri"] for e in _differential(RELIABILITY).values()
        if "fixedUri" in e and e["id"].count(".") == 2
    }  # fmt: skip
    mode_binding = _binding(
        profile, "Patient.extension:identityReliability.extension:validationMode.value[x]"
    ) or _binding(RELIABILITY, "Extension.extension:validationMode.value[x]")
    status_binding = _binding(RELIABILITY, "Extension.extension:identityStatus.value[x]")
    for extension in _extensions(patient.get("extension", []), RELIABILITY):
        for part in extension.get("extension", []):
            if part["url"] not in fixed:
                problems.append(f"identityReliability sub-extension {part['url']} unknown")
            coding = part.get("valueCoding")
            checks = (("validationMode", mode_binding, "outside the required set"),
                      ("identityStatus", status_binding, "unknown"))  # fmt: skip
            for url, binding, wrong in checks:
                if (
                    part["url"] == url
                    and binding
                    and not in_value_set(binding["valueSet"], coding["system"], coding["code"])
                ):
                    problems.append(f"{url} {coding['code']} {wrong}")
    return problems


def _statuses(patient: dict[str, Any]) -> set[str]:
    return {
        part["valueCoding"]["code"]
        for extension in _extensions(patient.get("extension", []), RELIABILITY)
        for part in extension.get("extension", [])
        if part["url"] == "identityStatus"
    }


def _insee_code(patient: dict[str, Any]) -> dict[str, str] | None:
    for extension in _extensions(patient.get("extension", []), BIRTH_PLACE):
        for inner in extension.get("valueAddress", {}).get("extension", []):
            if inner.get("url") == INSEE:
                return dict(inner["valueCoding"])
    return None


def _invariants(patient: dict[str, Any]) -> list[str]:
    if "VALI" not in _statuses(patient):
        return []
    ins_systems = {f"urn:oid:1.2.250.1.213.1.4.{n}" for n in (8, 9, 10, 11)}
    official = [i for i in patient.get("identifier", []) if i.get("use") == "official"]
    problems = []
    if not any(i.get("system") in ins_systems for i in official):
        problems.append("fr-core-1: VALI without an official INS identifier")
    if len(official) != 1:
        problems.append("fr-core-2: VALI needs exactly one official identifier")
    code = _insee_code(patient)
    if code and code["code"] == "99999":
        problems.append("fr-core-3: VALI with birth place 99999")
    return problems


#: FHIR R4 ``link-type`` (required binding of ``Patient.link.type``; the core is not shipped).
LINK_TYPES = frozenset({"replaced-by", "replaces", "refer", "seealso"})


def _links(patient: dict[str, Any]) -> list[str]:
    """Base R4 ``Patient.link`` (type and other 1..1), and the meaning of replaced-by:
    « the patient resource containing this link must no longer be used » (inactive)."""
    problems = []
    if not isinstance(patient.get("active", False), bool):
        problems.append("active must be a boolean")
    for link in patient.get("link", []):
        if link.get("type") not in LINK_TYPES:
            problems.append(f"link.type {link.get('type')} outside the required set")
        reference = (link.get("other") or {}).get("reference", "")
        if not reference.startswith(("Patient/", "RelatedPerson/")):
            problems.append(f"link.other {reference or 'missing'} is no Patient reference")
        if link.get("type") == "replaced-by" and patient.get("active") is not False:
            problems.append("link replaced-by on a Patient that is not active=false")
    return problems


def check_patient(patient: dict[str, Any]) -> list[str]:
    """Problems of ``patient`` against the profile it claims (empty: conformant)."""
    profile = patient["meta"]["profile"][0]
    diff = _differential(profile)
    problems = []
    for element in diff.values():
        path = element["id"]
        top_level = path.count(".") == 1 and ":" not in path
        if element.get("min", 0) >= 1 and top_level and not patient.get(path.split(".")[1]):
            problems.append(f"{path} missing")
    if diff.get("Patient.extension:birthPlace", {}).get("min", 0) >= 1:
        code = _insee_code(patient)
        if code is None:
            problems.append("birthPlace with inseeCode missing")
        else:
            binding = _binding(INSEE, "Extension.value[x]")
            if binding and not in_value_set(binding["valueSet"], code["system"], code["code"]):
                problems.append(f"inseeCode system {code['system']} outside the required set")
    officials = [n for n in patient.get("name", []) if n.get("use") == "official"]
    if diff.get("Patient.name:officialName", {}).get("min", 0) >= 1 and len(officials) != 1:
        problems.append("exactly one official name required")
    for name in officials:
        if not name.get("family") or not name.get("given"):
            problems.append("official name needs family and given")
        if profile.endswith("-ins") and len(name.get("given", [])) > 1:
            problems.append("official name: given max 1")
        if profile.endswith("-ins") and not _extensions(name.get("extension", []), BIRTH_LIST):
            problems.append("official name: birth-list-given-name missing")
    gender = _binding(profile, "Patient.gender")
    if gender and not in_value_set(gender["valueSet"], "http://hl7.org/fhir/administrative-gender",
                                   patient.get("gender", "")):  # fmt: skip
        problems.append(f"gender {patient.get('gender')} outside the required set")
    return (
        problems
        + _slice_identifiers(patient, profile)
        + _reliability(patient, profile)
        + (_invariants(patient) if profile.endswith("-ins") else [])
        + _links(patient)
    )
