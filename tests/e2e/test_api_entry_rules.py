"""Issue 11 §8-§10 through the API: strict traits complete and plausible at entry, compound
first names, expired documents, and the proofs a change takes away."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from api_support import Api, TestClient, identity_payload, make_container, qualify
from web_support import distinct_person

from fakes import FakeTeleservice, insi_person
from identito.adapters.database import dispose_engines
from identito.bootstrap import Container
from identito.entrypoints.api import create_app
from identito.entrypoints.api.insi import get_teleservice
from identito.services.auth import SYSTEM
from identito.services.preferences import update_preferences

IDENTITIES = "/api/v1/identities"


@pytest.fixture(scope="module")
def teleservice() -> FakeTeleservice:
    return FakeTeleservice()


@pytest.fixture(scope="module")
def container(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Container]:
    yield make_container(tmp_path_factory.mktemp("api-entry"))
    dispose_engines()


@pytest.fixture(scope="module")
def api(container: Container, teleservice: FakeTeleservice) -> Iterator[Api]:
    app = create_app(container)
    app.dependency_overrides[get_teleservice] = lambda: teleservice
    with TestClient(app, base_url="http://testserver") as client:
        yield Api(client)


def refused(api: Api, **overrides: Any) -> list[tuple[str, str]]:
    body = {**identity_payload(), **distinct_person(), **overrides}
    response = api.post(IDENTITIES, json=body)
    assert response.status_code == 422, response.text
    return [(e["field"], e["rule"]) for e in response.json()["errors"]]


def patch(api: Api, identity: dict[str, Any], role: str = "admin", **body: Any) -> Any:
    headers = {"If-Match": str(identity["version"])}
    return api.patch(f"{IDENTITIES}/{identity['id']}", role, json=body, headers=headers)


# -- §9 at creation ------------------------------------------------------------------------


@pytest.mark.parametrize("first_names", [[], "", None])
def test_the_api_refuses_a_creation_with_an_empty_birth_first_names_list(
    api: Api, first_names: Any
) -> None:
    errors = refused(api, birth_first_names=first_names)
    assert errors == [("birth_first_names", "first_names_required")]


def test_the_api_refuses_a_first_birth_first_name_absent_from_the_list(api: Api) -> None:
    errors = refused(api, first_birth_first_name="Marie-Hélène")
    assert errors == [("first_birth_first_name", "first_name_disagrees")]


@pytest.mark.parametrize("code", ["75056", "69123", "13055"])
def test_the_api_refuses_paris_lyon_marseille_as_whole_communes_listing_the_arrondissements(
    api: Api, code: str
) -> None:
    body = {**identity_payload(), "birth_date": "1980-03-14", "birth_place_code": code}
    response = api.post(IDENTITIES, json=body)
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert (error["field"], error["rule"]) == ("birth_place_code", "place_whole_commune")
    assert "Arrondissement" in error["message"] and code[:2] in error["message"]


def test_the_api_refuses_99100_france_as_a_birth_place(api: Api) -> None:
    assert refused(api, birth_place_code="99100") == [
        ("birth_place_code", "place_france_as_country")
    ]


def test_the_api_asks_to_confirm_an_1850_birth_date_and_accepts_it_confirmed(api: Api) -> None:
    errors = refused(api, birth_date="1850-06-01")
    assert errors == [("birth_date", "birth_date_confirmation_required")]
    body = {**identity_payload(), "birth_date": "1850-06-01"}
    created = api.post(IDENTITIES, json={**body, "birth_date_confirmed": True})
    assert created.status_code == 201, created.text
    assert created.json()["birth_date"] == "1850-06-01"


# -- §9 expired document --------------------------------------------------------------------


def test_an_expired_cni_does_not_validate_unless_the_administrators_tolerance_covers_it(
    api: Api, container: Container
) -> None:
    identity = api.create(**distinct_person())
    url = f"{IDENTITIES}/{identity['id']}/validation"
    body = {"document_type": "CN", "document_expiry": "2020-06-01"}
    response = api.post(url, json=body)
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert (error["field"], error["rule"]) == ("document_expiry", "document_expired")
    assert "aucune tolérance" in error["message"]
    uow, rules = container.uow_factory(), container.rules
    update_preferences(
        {"expired_document_tolerance_days": 3653}, uow=uow, actor=SYSTEM, rules=rules
    )
    try:
        validated = api.post(url, json=body)
        assert validated.status_code == 200, validated.text
        assert validated.json()["status"] == "VALI"
    finally:
        update_preferences(
            {"expired_document_tolerance_days": 0},
            uow=container.uow_factory(),
            actor=SYSTEM,
            rules=rules,
        )


# -- §8 compound first names ----------------------------------------------------------------


def test_a_qual_change_from_pierre_alain_to_pierre_is_a_strict_change_that_downgrades(
    api: Api, container: Container
) -> None:
    person = {
        **distinct_person(),
        "birth_first_names": ["Pierre-Alain", "Muriel"],
        "first_birth_first_name": "Pierre-Alain",
        "sex": "M",
    }
    qualified = qualify(container, api, api.create(**person)["id"])
    alone = patch(api, qualified, "admission", first_birth_first_name="Pierre")
    assert alone.status_code == 422  # PIERRE is not a whole first name of the list
    assert alone.json()["errors"][0]["rule"] == "first_name_disagrees"
    listed = {"first_birth_first_name": "Pierre", "birth_first_names": "Pierre Alain Muriel"}
    assert patch(api, qualified, "admission", **listed).status_code == 403
    changed = patch(api, qualified, "identitovigilance", **listed)
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["status"], body["ins"], body["first_birth_first_name"]) == ("PROV", None, "PIERRE")


# -- §10 proofs lost on a change ------------------------------------------------------------


def test_a_vali_identity_whose_strict_trait_changes_becomes_prov(api: Api) -> None:
    identity = api.create(**distinct_person())
    body = {"document_type": "PA", "document_expiry": "2031-01-01"}
    validated = api.post(f"{IDENTITIES}/{identity['id']}/validation", json=body).json()
    changed = patch(api, validated, birth_name="Lambert")
    assert changed.status_code == 200
    assert (changed.json()["status"], changed.json()["validation"]) == ("PROV", None)


def test_a_vali_identity_stays_vali_with_a_document_checked_in_the_same_change(api: Api) -> None:
    identity = api.create(**distinct_person())
    body = {"document_type": "PA", "document_expiry": "2031-01-01"}
    validated = api.post(f"{IDENTITIES}/{identity['id']}/validation", json=body).json()
    document = {"document_type": "CN", "document_expiry": "2032-02-02"}
    changed = patch(api, validated, birth_name="Lambert", document=document)
    assert changed.status_code == 200, changed.text
    assert changed.json()["status"] == "VALI"
    assert changed.json()["validation"]["document_type"] == "CN"
    expired = {"document_type": "CN", "document_expiry": "2020-01-01"}
    refused_change = patch(api, changed.json(), birth_name="Lambertin", document=expired)
    assert refused_change.status_code == 422
    assert refused_change.json()["errors"][0]["rule"] == "document_expired"


def test_the_used_name_changes_on_an_identity_whose_insi_birth_place_is_unknown_locally(
    api: Api, teleservice: FakeTeleservice
) -> None:
    traits = {**identity_payload(), "birth_date": "1980-03-12", "birth_place_code": "2B020"}
    traits |= {"birth_name": "Dupont", "birth_first_names": ["Jean", "Christophe", "Pierre"]}
    traits |= {"first_birth_first_name": "Jean", "sex": "M", "used_name": None}
    created = api.create(**traits)
    teleservice.persons = [insi_person(birth_place_code="75056")]  # Paris whole: refused locally
    url = f"{IDENTITIES}/{created['id']}/insi/recover"
    pending = api.post(url, "admission", json={"mode": "traits"}).json()
    assert pending["differences"] == ["birth_place_code"]
    accept = f"{IDENTITIES}/{created['id']}/insi/calls/{pending['call_id']}/accept"
    accepted = api.post(accept, "admission", json={"expected_version": created["version"]})
    assert accepted.status_code == 200, accepted.text
    identity = api.get(f"{IDENTITIES}/{created['id']}").json()
    assert identity["birth_place_code"] == "75056"  # kept as received
    changed = patch(api, identity, used_name="Martin")
    assert changed.status_code == 200, changed.text
    assert changed.json()["used_name"] == "MARTIN"
    entries = api.get("/api/v1/vigilance/entries", params={"kind": "place_conflict"}).json()
    listed = [e for e in entries if e["identity_id"] == created["id"]]
    assert len(listed) == 1 and "75056" in listed[0]["summary"]["reason"]
