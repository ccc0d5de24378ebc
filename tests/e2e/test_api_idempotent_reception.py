"""Sent again, received once (issue 12 points 2 and 3), through the API on SQLite: the
copies of one message, one after the other, have one effect and the same answer; a
second creation of the same person is answered 409 naming the first. The same at once,
on PostgreSQL: tests/integration/test_storage_concurrent_receptions.py."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from api_support import Api, identity_payload, make_container
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from identito.adapters.database import dispose_engines, engine_for
from identito.adapters.orm import identities
from identito.bootstrap import Container
from identito.entrypoints.api import create_app

HL7 = "/api/v1/hl7v2"
INS_NIR = "ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS"
FR_CORE = "https://hl7.fr/ig/fhir/core/StructureDefinition/"


@pytest.fixture
def container(tmp_path) -> Iterator[Container]:  # type: ignore[no-untyped-def]
    yield make_container(tmp_path, own_domain_senders=["OWNAPP^*"])
    dispose_engines()


@pytest.fixture
def api(container: Container) -> Iterator[Api]:
    with TestClient(create_app(container), base_url="http://testserver") as client:
        yield Api(client)


def _people(container: Container, name: str) -> int:
    """Identities of this birth name (each test has its own database)."""
    engine = engine_for(container.settings.database_url)
    with engine.connect() as connection:
        query = select(func.count()).where(identities.c.birth_name == name)
        return int(connection.scalar(query) or 0)


def a28(sender: str, ipp: str, *, name: str = "REPRISE^ANNE^ANNE^^^^L") -> str:
    return "\r".join(
        [
            f"MSH|^~\\&|{sender}|IDENTITO|CHU-X|20260306111154||ADT^A28^ADT_A05|MSG-7|P|"
            "2.5^FRA^2.11|||||FRA|UNICODE UTF-8|FR||2.11^IHE_FRANCE-2.11-PAM",
            "EVN||20260306111154",
            f"PID|1||{ipp}^^^CHU-Y&1.2.3&ISO^PI~285032B02040175^^^{INS_NIR}||{name}||19850302|F"
            "|||^^^^^FRA^BDL^^2B020|||||||||||||||||||N||VALI",
            "PV1|1|N",
        ]
    )


@pytest.mark.parametrize("sender", ["OWNAPP|CHU-Y", "GAM|CHU-Y"])
def test_an_a28_sent_twice_is_one_identity_and_the_same_aa_for_both_copies(
    api: Api, container: Container, sender: str
) -> None:
    message = a28(sender, "IPP-REPLAY")
    answers = [api.post(HL7, content=message.encode()) for _ in range(2)]

    assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
    assert "MSA|AA|MSG-7" in answers[0].text
    assert answers[1].text == answers[0].text  # byte for byte: the kept ACK (hl7_acks)
    assert _people(container, "REPRISE") == 1


def test_an_own_domain_a28_sent_three_times_is_one_identity(api: Api, container: Container) -> None:
    for _ in range(3):
        assert api.post(HL7, content=a28("OWNAPP|CHU-Y", "IPP-3").encode()).status_code == 200
    assert _people(container, "REPRISE") == 1


def test_a_fhir_post_sent_twice_answers_201_at_the_same_location(api: Api) -> None:
    patient = {
        "resourceType": "Patient", "id": "DPI-REPLAY",
        "extension": [{
            "url": "http://hl7.org/fhir/StructureDefinition/patient-birthPlace",
            "valueAddress": {"extension": [{"url": FR_CORE + "fr-core-address-insee-code",
                                            "valueCoding": {"code": "2B020"}}]},
        }],
        "name": [{"use": "official", "family": "REFHIR", "given": ["ANNE"]}],
        "gender": "female", "birthDate": "1985-03-02",
    }  # fmt: skip
    headers = {"Content-Type": "application/fhir+json", "X-Identito-Sender": "DPI-Z"}
    answers = [
        api.post("/fhir/Patient", content=json.dumps(patient), headers=headers) for _ in range(2)
    ]
    assert [a.status_code for a in answers] == [201, 201], [a.text for a in answers]
    assert answers[0].headers["Location"] == answers[1].headers["Location"]


def test_a_second_api_creation_of_the_same_person_is_409_naming_the_first(api: Api) -> None:
    person = identity_payload(birth_name="Unique")
    first = api.post("/api/v1/identities", "admission", json=person)
    second = api.post("/api/v1/identities", "admission", json={**person, "used_name": None})

    assert first.status_code == 201, first.text
    assert second.status_code == 409, second.text
    problem = second.json()
    assert problem["existing_identity"] == first.json()["id"]
    assert problem["errors"][0]["rule"] == "same_person_exists"


def test_created_anyway_through_the_api_the_pair_waits_in_the_duplicate_worklist(
    api: Api,
) -> None:
    person = identity_payload(birth_name="Quandmeme")
    first = api.post("/api/v1/identities", "admission", json=person).json()["id"]
    second = api.post("/api/v1/identities", "admission", json={**person, "create_anyway": True})

    assert second.status_code == 201, second.text
    listed = api.get("/api/v1/duplicates", "identitovigilance").json()["items"]
    pairs = [{item["first"]["id"], item["second"]["id"]} for item in listed]
    assert {first, second.json()["id"]} in pairs
