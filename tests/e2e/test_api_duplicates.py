"""GET /identities/{id}/duplicates: potential duplicates, scored and explained, best first."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from api_support import Api, qualify

from identito.bootstrap import Container
from identito.domain.duplicates import Agreement, Trait, TraitAgreement
from identito.domain.identifiers import Ins, Oid
from identito.domain.status import CollisionLevel
from identito.entrypoints.api.schemas import TraitAgreementPublic
from identito.services.auth import SYSTEM

IDENTITIES = "/api/v1/identities"
PERSON = {
    "birth_name": "Garnier",
    "birth_first_names": ["Lucie", "Anne"],
    "first_birth_first_name": "Lucie",
    "birth_date": "1972-04-09",
    "sex": "F",
    "birth_place_code": "69383",
    "used_name": None,
}


def _create(api: Api, **changes: Any) -> dict[str, Any]:
    return api.create(**{**PERSON, **changes})


def test_duplicates_come_best_first_with_score_and_explanation(api: Api) -> None:
    local = _create(api)
    swapped = _create(
        api,
        birth_date="1972-09-04",
        first_birth_first_name="Anne",
        birth_first_names=["Anne", "Lucie"],
    )
    typo = _create(api, birth_name="Garnieer", birth_place_code="69381")
    _create(api, birth_name="Rousseau", first_birth_first_name="Mila", birth_first_names=["Mila"])

    response = api.get(f"{IDENTITIES}/{local['id']}/duplicates", "care")

    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [i["identity"]["id"] for i in items] == [swapped["id"], typo["id"]]
    assert items[0]["score"] >= items[1]["score"] >= 0.5
    assert not items[0]["blocking"]
    lines = {line["trait"]: line for line in items[0]["explanation"]}
    assert set(lines) == {"name", "first_names", "birth_date", "sex", "birth_place_code", "ins"}
    assert lines["birth_date"] == {
        "trait": "birth_date",
        "local": "1972-04-09",
        "other": "1972-09-04",
        "agreement": "close",
        "weight": lines["birth_date"]["weight"],
        "note": "Jour et mois inversés.",
    }
    assert lines["first_names"]["agreement"] == "close"
    assert {line["trait"]: line["agreement"] for line in items[1]["explanation"]}[
        "birth_place_code"
    ] == "close"


def test_the_same_active_ins_is_a_blocking_duplicate_scoring_1(
    api: Api, container: Container
) -> None:
    local = _create(api, birth_date="1966-01-20")
    qualified = qualify(container, api, local["id"])
    other = _create(api, birth_name="Perrin", birth_date="1990-02-02")
    ins = Ins.parse(qualified["ins"]["number"], Oid.NIR_TEST.value, allow_test_oids=True)
    with container.uow_factory() as uow:  # two holders only in collision (R-DU-03, 0011)
        for identity_id in (local["id"], other["id"]):
            identity = uow.identities.get(UUID(identity_id))
            identity.declare_collision(CollisionLevel.POTENTIAL, now=datetime.now(UTC))
            if identity_id == other["id"]:  # as INSi would have returned it
                identity.record_ins_retrieval(ins, now=datetime.now(UTC))
            uow.identities.update(identity)
        uow.commit(SYSTEM, datetime.now(UTC))

    items = api.get(f"{IDENTITIES}/{local['id']}/duplicates").json()["items"]

    assert [(i["identity"]["id"], i["score"], i["blocking"]) for i in items] == [
        (other["id"], 1.0, True)
    ]


def test_limit_and_threshold_are_query_parameters_checked_by_the_api(api: Api) -> None:
    local = _create(api, birth_date="1955-05-05")
    _create(api, birth_date="1955-05-05")
    url = f"{IDENTITIES}/{local['id']}/duplicates"

    assert len(api.get(url, params={"limit": 1}).json()["items"]) == 1
    assert api.get(url, params={"threshold": 1.0}).json()["items"] == []
    assert api.get(url, params={"threshold": 2}).status_code == 422


def test_duplicates_of_an_unknown_identity_are_a_404_problem(api: Api) -> None:
    response = api.get(f"{IDENTITIES}/00000000-0000-4000-8000-000000000000/duplicates")
    assert response.status_code == 404


def test_the_ins_line_of_the_explanation_is_hidden_without_the_ins_read_permission() -> None:
    line = TraitAgreement(Trait.INS, "180032B02040123", "180032B02040123", Agreement.EXACT, 0.0)
    hidden = TraitAgreementPublic.render(line, show_ins=False)
    assert (hidden.local, hidden.other, hidden.agreement) == (None, None, Agreement.EXACT)
    assert TraitAgreementPublic.render(line, show_ins=True).local == "180032B02040123"


# -- POST /identities/duplicate-check: the check at creation ---------------------------------

CHECK = f"{IDENTITIES}/duplicate-check"


def _count(api: Api, birth_date: str) -> int:
    found = api.get(IDENTITIES, params={"birth_date": birth_date, "limit": 200})
    assert found.status_code == 200, found.text
    return len(found.json()["items"])


def test_the_check_at_creation_finds_a_near_duplicate_before_it_is_created(api: Api) -> None:
    existing = _create(api, birth_date="1961-11-23")
    _create(api, birth_date="1961-11-23", birth_name="Rousseau", first_birth_first_name="Mila",
            birth_first_names=["Mila"], sex="F")  # fmt: skip
    typed = {**PERSON, "birth_date": "1961-11-23", "birth_name": "Garnieer", "used_name": None}

    response = api.post(CHECK, "admission", json=typed)

    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [i["identity"]["id"] for i in items] == [existing["id"]]
    assert items[0]["score"] >= 0.5 and not items[0]["blocking"]
    lines = {line["trait"]: line for line in items[0]["explanation"]}
    assert lines["name"]["agreement"] not in ("exact", "different")  # the typing error
    assert (lines["name"]["local"], lines["name"]["other"]) == ("GARNIEER", "GARNIER")
    assert set(items[0]["identity"]) == set(api.get(f"{IDENTITIES}/{existing['id']}").json())


def test_the_check_at_creation_stores_nothing(api: Api) -> None:
    _create(api, birth_date="1948-06-30")
    before = _count(api, "1948-06-30")
    body = {**PERSON, "birth_date": "1948-06-30", "collection_method": "SM"}

    response = api.post(CHECK, json=body)

    assert response.status_code == 200, response.text
    assert "Location" not in response.headers
    assert len(response.json()["items"]) == 1
    assert _count(api, "1948-06-30") == before == 1


def test_the_check_at_creation_takes_limit_and_threshold_as_query_parameters(api: Api) -> None:
    for _ in range(3):
        _create(api, birth_date="1939-02-17")
    body = {**PERSON, "birth_date": "1939-02-17"}

    assert len(api.post(CHECK, json=body, params={"limit": 2}).json()["items"]) == 2
    assert api.post(CHECK, json=body, params={"threshold": 1}).json()["items"] == []
    for bad in ({"limit": 0}, {"limit": 51}, {"threshold": -0.1}):
        response = api.post(CHECK, json=body, params=bad)
        assert response.status_code == 422, bad
        assert response.json()["errors"][0]["field"] == next(iter(bad))


def test_bad_traits_in_the_check_are_a_422_problem_naming_the_field(api: Api) -> None:
    response = api.post(CHECK, json={**PERSON, "birth_name": "Garn1er"})

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 422 and body["type"].endswith("invalid-input")
    [error] = body["errors"]
    assert (error["field"], error["rule"]) == ("birth_name", "character_not_allowed")


def test_a_missing_trait_or_a_wrong_type_in_the_check_is_a_422_naming_the_field(
    api: Api,
) -> None:
    missing = {k: v for k, v in PERSON.items() if k != "birth_date"}

    absent = api.post(CHECK, json=missing).json()["errors"]
    assert [(e["field"], e["rule"]) for e in absent] == [("birth_date", "required")]
    wrong = api.post(CHECK, json={**PERSON, "sex": 1}).json()["errors"]
    assert [(e["field"], e["rule"]) for e in wrong] == [("sex", "string_type")]


def test_the_statistics_profile_may_not_check_for_duplicates(api: Api) -> None:
    response = api.post(CHECK, "statistics", json=PERSON)

    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")


def test_the_check_route_is_not_read_as_an_identity_id(api: Api) -> None:
    assert api.get(CHECK).status_code == 422  # GET /{identity_id}: not a UUID
    assert api.post(f"{IDENTITIES}/00000000-0000-4000-8000-000000000000/duplicate-check",
                    json=PERSON).status_code == 404  # fmt: skip
