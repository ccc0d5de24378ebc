"""INS recovery through the API against the INSi simulator and its CNDA test persons.

The container's own teleservice is used (``SimulatedTeleservice``, in-process):
requests are built and answers parsed by the real client pipeline.
"""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID

import pytest
from api_support import Api, TestClient, make_container

from identito.adapters.database import dispose_engines
from identito.bootstrap import Container
from identito.entrypoints.api import create_app

IDENTITIES = "/api/v1/identities"


def person(name, first_names, birth_date, place, sex="M"):
    return {
        "birth_name": name,
        "birth_first_names": first_names.split(" "),
        "first_birth_first_name": first_names.split(" ")[0],
        "birth_date": birth_date,
        "sex": sex,
        "birth_place_code": place,
    }


ECETINSI = person("ECETINSI", "PIERRE-ALAIN MURIEL FLORIANT", "2009-07-14", "63220")
CORSE = person("CORSE", "ANTHONY", "1980-03-02", "2B020")
HERMANN = person("HERMANN", "GATIEN", "1981-03-24", "63220")
HOUILLES = person("HOUILLES", "PIERRE PAUL JACQUES", "1993-01-27", "63220")
PROVISOIRE = person("PROVISOIRE", "MATRICULE", "2009-07-01", "63220")


# One database per test: two tests recover the same CNDA person, and two active
# identities never hold the same matricule (R-DU-03).
@pytest.fixture
def container(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Container]:
    directory = tmp_path_factory.mktemp("api-insi-simulator")
    yield make_container(directory, insi_simulator_population=50)
    dispose_engines()


@pytest.fixture
def api(container: Container) -> Iterator[Api]:
    assert container.teleservice is not None
    with TestClient(create_app(container), base_url="http://testserver") as client:
        yield Api(client)


def recover(api: Api, traits: dict) -> dict:
    created = api.create(**{**traits, "used_name": None})
    response = api.post(f"{IDENTITIES}/{created['id']}/insi/recover", json={"mode": "traits"})
    assert response.status_code == 200, response.text
    return response.json()


def test_ecetinsi_is_found_and_integrated_with_its_ins_history(api, container):
    body = recover(api, ECETINSI)

    assert (body["outcome"], body["applied"]) == ("00", True)
    identity = body["identity"]
    assert identity["status"] == "RECUP"
    assert identity["ins"] == {
        "number": "109076322083489",
        "oid": "1.2.250.1.213.1.4.8",
        "kind": "NIR",
    }
    assert identity["birth_first_names"] == ["PIERRE-ALAIN", "MURIEL", "FLORIANT"]
    with container.uow_factory() as uow:
        stored = uow.identities.get(UUID(identity["id"]))
    assert [(h.number, h.start, h.end) for h in stored.insi_history] == [
        ("209076322083439", "2019-03-01", "2019-02-28"),
        ("209066322012355", None, None),
    ]


def test_corse_anthony_comes_back_with_the_birth_place_2b020(api):
    body = recover(api, CORSE)

    assert body["applied"] and body["insi"]["birth_place_code"] == "2B020"
    assert body["identity"]["ins"]["number"] == "180032B02040123"


def test_hermann_gatien_is_kept_with_its_non_mod_97_key_and_a_warning(api):
    body = recover(api, HERMANN)

    assert body["applied"] and body["identity"]["ins"]["number"] == "181036322045660"
    assert "ins_key" in {w["code"] for w in body["identity"]["warnings"]}
    assert any("clé" in w for w in body["warnings"])


def test_provisoire_matricule_is_a_nia(api):
    body = recover(api, PROVISOIRE)

    assert body["identity"]["ins"]["kind"] == "NIA"


def test_houilles_is_not_found_after_each_first_name_then_the_whole_list(api):
    body = recover(api, HOUILLES)

    assert (body["outcome"], body["calls"], body["applied"]) == ("01", 4, False)


def test_the_raw_soap_answer_of_the_simulator_is_kept_exactly(api):
    body = recover(api, CORSE)

    raw = api.get(f"/api/v1/insi/calls/{body['call_id']}/response")

    assert raw.status_code == 200
    assert b"<CodeCR>00</CodeCR>" in raw.content and b"2B020" in raw.content
