"""Birth place lookup and search through HTTP."""

from __future__ import annotations

from api_support import Api

PLACES = "/api/v1/places"


def test_ajaccio_20004_is_valid_in_1950(api: Api) -> None:
    response = api.get(f"{PLACES}/20004", params={"on": "1950-05-01"})

    assert response.status_code == 200
    body = response.json()
    assert body["code"] == "20004" and body["on"] == "1950-05-01"
    assert body["place"]["label"] == "Ajaccio"
    assert body["place"]["kind"] == "commune"
    assert body["place"]["valid_to"] == "1976-01-01"
    assert body["warning"] is None


def test_2a004_in_1950_is_a_422_problem_giving_the_period_of_validity(api: Api) -> None:
    response = api.get(f"{PLACES}/2a004", params={"on": "1950-05-01"})

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    [error] = response.json()["errors"]
    assert error["field"] == "code"
    assert error["rule"] == "place_not_valid_on_date"
    assert "depuis le 01/01/1976" in error["message"]


def test_an_unknown_code_is_a_404_and_a_malformed_one_a_422(api: Api) -> None:
    unknown = api.get(f"{PLACES}/00000", params={"on": "1990-01-01"})
    malformed = api.get(f"{PLACES}/ABC", params={"on": "1990-01-01"})

    assert unknown.status_code == 404
    assert malformed.status_code == 422
    assert malformed.json()["errors"][0]["rule"] == "invalid_place_code"


def test_lookup_without_a_date_or_with_a_bad_date_is_a_422(api: Api) -> None:
    missing = api.get(f"{PLACES}/75056")
    bad = api.get(f"{PLACES}/75056", params={"on": "14/03/1985"})

    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "on"
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "on"


def test_search_by_name_ignores_accents_and_keeps_places_valid_on_the_date(api: Api) -> None:
    in_1950 = api.get(PLACES, params={"name": "ajaccio", "on": "1950-05-01"})
    in_1990 = api.get(PLACES, params={"name": "AJACCIO", "on": "1990-05-01"})
    accents = api.get(PLACES, params={"name": "saint etienne", "limit": 3})

    assert [p["code"] for p in in_1950.json()["items"]] == ["20004"]
    assert [p["code"] for p in in_1990.json()["items"]] == ["2A004"]
    assert in_1990.json()["items"][0]["postal_codes"]
    assert accents.json()["items"][0]["label"] == "Saint-Étienne"
    assert len(accents.json()["items"]) == 3


def test_search_without_a_name_is_a_422(api: Api) -> None:
    response = api.get(PLACES, params={"name": "  "})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "name"
