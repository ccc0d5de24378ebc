"""``GET /api/v1/identities``: the anteriority search of issue 16 through HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from anteriority_support import create_people, merged_lefebvre
from api_support import Api

from anteriority_cases import CASE_IDS, CASES

IDENTITIES = "/api/v1/identities"


@pytest.fixture(scope="module")
def people(api: Api) -> dict[str, dict[str, Any]]:
    return create_people(api)


@pytest.mark.parametrize(("case", "fields", "expected"), CASES, ids=CASE_IDS)
def test_every_example_of_the_issue_finds_the_person_through_the_api(
    api: Api, people: dict[str, dict[str, Any]], case: str, fields: dict[str, str], expected: str
) -> None:
    response = api.get(IDENTITIES, "admission", params=fields)
    assert response.status_code == 200, response.text
    assert [item["id"] for item in response.json()["items"]] == [people[expected]["id"]]


def test_each_result_tells_how_close_it_is_and_which_traits_match(
    api: Api, people: dict[str, dict[str, Any]]
) -> None:
    params = {"birth_date": "1980-03-13", "name": "garnier", "first_name": "alexandre"}
    (item,) = api.get(IDENTITIES, "admission", params=params).json()["items"]
    assert item["match"] == {
        "date": "near", "name": "exact", "first_name": "exact",
        "matched": ["birth_date", "birth_first_names", "birth_name"],
        "labels": ["nom : identique", "prénom : identique", "date : à un jour près"],
        "merged_id": None,
    }  # fmt: skip


def test_a_merged_identity_found_by_its_old_name_leads_to_its_survivor(api: Api) -> None:
    survivor, merged = merged_lefebvre(api)
    params = {"birth_date": "1975-06-20", "name": "lefebvre"}
    items = api.get(IDENTITIES, "admission", params=params).json()["items"]
    assert [(i["id"], i["match"]["merged_id"]) for i in items] == [(survivor["id"], merged["id"])]


def test_a_search_without_any_date_is_refused_with_a_french_problem(api: Api) -> None:
    response = api.get(IDENTITIES, "admission", params={"name": "garnier"})
    assert response.status_code == 422
    assert "La date de naissance est obligatoire pour chercher" in response.text


def test_the_year_alone_needs_name_and_first_name(api: Api) -> None:
    response = api.get(IDENTITIES, "admission", params={"birth_year": "1980", "name": "garnier"})
    assert response.status_code == 422
    assert "year_needs_names" in response.text
