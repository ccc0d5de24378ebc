"""Issue 11 through the API against the INSi simulator: a typed matricule never makes
RECUP/QUAL (R-ST-07), an exceptional INSi date is held not retrieved (R-TR-11/12), and
sex I never goes to INSi (R-TR-14)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from api_support import Api, TestClient, make_container
from fhir.resources.patient import Patient

from identito.adapters.database import dispose_engines
from identito.adapters.insi.simulator.population import DESIGNATED, Person, synthetic_persons
from identito.bootstrap import Container
from identito.entrypoints.api import create_app

IDENTITIES = "/api/v1/identities"
POPULATION = 400
LUCIE, LEO = DESIGNATED[2], DESIGNATED[3]  # CARTE LUCIE and CARTE LEO NOE
PEOPLE = [p for p in synthetic_persons(POPULATION) if "-00" not in p.birth_date]
EXCEPTIONAL = next(p for p in synthetic_persons(POPULATION) if "-00" in p.birth_date)


@pytest.fixture(scope="module")
def container(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Container]:
    directory = tmp_path_factory.mktemp("api-ins-source")
    yield make_container(directory, insi_simulator_population=POPULATION)
    dispose_engines()


@pytest.fixture(scope="module")
def api(container: Container) -> Iterator[Api]:
    with TestClient(create_app(container), base_url="http://testserver") as client:
        yield Api(client)


def _traits(person: Person, **changes: Any) -> dict[str, Any]:
    names = person.birth_first_names.split(" ")
    values = {
        "birth_name": person.birth_name,
        "birth_first_names": names,
        "first_birth_first_name": names[0],
        "birth_date": person.birth_date,
        "sex": person.sex,
        "birth_place_code": person.birth_place_code,
        "used_name": None,
    }
    return {**values, **changes}


def _qualified(api: Api, person: Person) -> dict[str, Any]:
    created = api.create(**_traits(person))
    recovered = api.post(f"{IDENTITIES}/{created['id']}/insi/recover", json={"mode": "traits"})
    assert recovered.json()["identity"]["status"] == "RECUP", recovered.text
    return _validate(api, created["id"])


def _validate(api: Api, identity_id: str) -> dict[str, Any]:
    body = {"document_type": "CN", "document_expiry": "2031-01-31"}
    response = api.post(f"{IDENTITIES}/{identity_id}/validation", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def _type(api: Api, identity: dict[str, Any], person: Person) -> dict[str, Any]:
    etag = api.get(f"{IDENTITIES}/{identity['id']}").headers["etag"]
    ins = {"number": person.ins_number, "oid": person.oid}
    response = api.patch(
        f"{IDENTITIES}/{identity['id']}", json={"ins": ins}, headers={"If-Match": etag}
    )
    assert response.status_code == 200, response.text
    return response.json()


def _exports(api: Api, identity_id: str, held: Person) -> tuple[Patient, list[str]]:
    """The FHIR and HL7 v2 exports, checked to carry nothing of the held matricule."""
    fhir = api.get(f"{IDENTITIES}/{identity_id}/exports/fhir").text
    hl7 = api.get(f"{IDENTITIES}/{identity_id}/exports/hl7v2").text
    assert held.ins_number[:13] not in fhir and held.ins_number[:13] not in hl7
    zfd = next(s for s in hl7.split("\r") if s.startswith("ZFD|"))
    return Patient.model_validate_json(fhir), zfd.split("|")


def _methods(patient: Patient) -> list[str]:
    reliability = next(e for e in patient.extension if e.url.endswith("identity-reliability"))
    return [p.valueCoding.code for p in reliability.extension if p.url == "methodCollection"]


def test_a_matricule_patched_onto_a_qualified_identity_is_to_verify_and_never_exported(
    api: Api,
) -> None:
    qualified = _qualified(api, LUCIE)
    assert (qualified["status"], qualified["ins_collection_method"]) == ("QUAL", "INSI")

    typed = _type(api, qualified, LEO)

    assert (typed["status"], typed["ins"]["number"]) == ("VALI", LEO.ins_number)
    assert (typed["ins_source"], typed["ins_confirmed"], typed["ins_to_verify"]) == (
        "SM",
        False,
        True,
    )
    assert typed["ins_collection_method"] == "SM"
    assert typed["ins_retrieved_at"] > qualified["ins_retrieved_at"]
    assert any("R-ST-07" in reason for reason in typed["ins_not_confirmed_because"])
    queued = api.get("/api/v1/vigilance/entries", params={"kind": "ins_to_verify"}).json()
    assert [e["identity_id"] for e in queued] == [typed["id"]]
    patient, zfd = _exports(api, typed["id"], LEO)
    assert _methods(patient) == ["SM"]
    assert zfd[5] == "SM"


def test_an_insi_verification_ok_of_the_typed_matricule_qualifies_with_method_insi(
    api: Api,
) -> None:
    person = PEOPLE[1]
    typed = _type(api, _validate(api, api.create(**_traits(person))["id"]), person)
    assert typed["status"] == "VALI"

    verified = api.post(f"{IDENTITIES}/{typed['id']}/insi/verify")

    assert verified.status_code == 200, verified.text
    identity = api.get(f"{IDENTITIES}/{typed['id']}").json()
    assert (identity["status"], identity["ins_source"], identity["ins_collection_method"]) == (
        "QUAL",
        "INSI",
        "INSI",
    )
    assert identity["ins_retrieved_at"] > typed["ins_retrieved_at"]
    fhir = api.get(f"{IDENTITIES}/{typed['id']}/exports/fhir").text
    assert person.ins_number in fhir
    queued = api.get("/api/v1/vigilance/entries", params={"kind": "ins_to_verify"}).json()
    assert typed["id"] not in [e["identity_id"] for e in queued]


def test_an_insi_verification_ko_removes_the_typed_matricule(api: Api) -> None:
    identity = _validate(api, api.create(**_traits(PEOPLE[2]))["id"])
    typed = _type(api, identity, PEOPLE[3])

    api.post(f"{IDENTITIES}/{typed['id']}/insi/verify")

    after = api.get(f"{IDENTITIES}/{typed['id']}").json()
    assert (after["status"], after["ins"], after["ins_source"]) == ("VALI", None, None)


def test_an_insi_answer_with_an_exceptional_date_keeps_the_matricule_but_is_not_retrieved(
    api: Api,
) -> None:
    created = api.create(**_traits(EXCEPTIONAL))
    response = api.post(f"{IDENTITIES}/{created['id']}/insi/recover", json={"mode": "traits"})
    assert response.status_code == 200, response.text
    identity = response.json()["identity"]

    assert (identity["status"], identity["ins"]["number"]) == ("PROV", EXCEPTIONAL.ins_number)
    assert (identity["ins_source"], identity["ins_confirmed"]) == ("INSI", False)
    assert any("R-TR-11" in r for r in identity["ins_not_confirmed_because"])
    validated = _validate(api, created["id"])
    assert validated["status"] == "VALI"
    _exports(api, created["id"], EXCEPTIONAL)


@pytest.mark.parametrize("path", ["insi/recover", "insi/verify"])
def test_an_identity_of_sex_i_is_refused_by_insi_calls_before_any_soap_call(
    api: Api, container: Container, path: str
) -> None:
    person = PEOPLE[4] if path == "insi/recover" else PEOPLE[5]
    created = api.create(**_traits(person, sex="I"))
    if path == "insi/verify":
        created = _type(api, created, person)
    calls_before = api.get(f"{IDENTITIES}/{created['id']}/insi/calls").json()

    response = api.post(f"{IDENTITIES}/{created['id']}/{path}", json={"mode": "traits"})

    assert response.status_code == 422, response.text
    problem = response.json()
    assert [(e["field"], e["rule"]) for e in problem["errors"]] == [("sex", "insi_sex_m_or_f")]
    assert "M ou F" in problem["errors"][0]["message"]
    assert api.get(f"{IDENTITIES}/{created['id']}/insi/calls").json() == calls_before


def test_an_insi_recovery_confirming_the_typed_matricule_closes_its_worklist_entry(
    api: Api,
) -> None:
    person = PEOPLE[6]
    typed = _type(api, _validate(api, api.create(**_traits(person))["id"]), person)
    queued = api.get("/api/v1/vigilance/entries", params={"kind": "ins_to_verify"}).json()
    assert typed["id"] in [e["identity_id"] for e in queued]

    response = api.post(f"{IDENTITIES}/{typed['id']}/insi/recover", json={"mode": "traits"})

    assert response.status_code == 200, response.text
    identity = response.json()["identity"]
    assert (identity["status"], identity["ins_source"]) == ("QUAL", "INSI")
    queued = api.get("/api/v1/vigilance/entries", params={"kind": "ins_to_verify"}).json()
    assert typed["id"] not in [e["identity_id"] for e in queued]
    closed = api.get(
        "/api/v1/vigilance/entries", params={"kind": "ins_to_verify", "open_only": "false"}
    ).json()
    [entry] = [e for e in closed if e["identity_id"] == typed["id"]]
    assert entry["decision"] == "verified" and "INSi" in entry["comment"]
