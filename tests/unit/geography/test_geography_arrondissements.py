"""Births in Paris, Lyon and Marseille are coded by municipal arrondissement (issue 11 §9)."""

from __future__ import annotations

from datetime import date

import pytest

from identito.adapters.places import WHOLE_COMMUNE_RULE, InseeBirthPlaces
from identito.domain.errors import InvalidInput
from identito.geography import GeographicReference


@pytest.mark.parametrize(
    ("code", "first", "last", "count"),
    [
        ("75056", "75101", "75120", 20),
        ("69123", "69381", "69389", 9),
        ("13055", "13201", "13216", 16),
    ],
)
def test_the_arrondissements_of_paris_lyon_and_marseille_come_from_the_shipped_geography(
    reference: GeographicReference, code: str, first: str, last: str, count: int
) -> None:
    found = [p.code for p in reference.arrondissements(code, date(1980, 1, 1))]
    assert (found[0], found[-1], len(found)) == (first, last, count)


def test_arrondissements_are_those_valid_on_the_birth_date(reference: GeographicReference) -> None:
    assert reference.arrondissements("13055", date(1945, 1, 1)) == []  # Marseille's: 1946
    assert len(reference.arrondissements("69123", date(1950, 1, 1))) == 7  # Lyon 8e: 1959


def test_a_birth_before_the_cog_in_paris_is_coded_by_the_arrondissements_of_1943(
    reference: GeographicReference,
) -> None:
    assert len(reference.arrondissements("75056", date(1925, 3, 14))) == 20
    assert reference.arrondissements("13055", date(1925, 3, 14)) == []


@pytest.mark.parametrize("code", ["75056", "69123", "13055"])
def test_a_whole_commune_with_arrondissements_is_refused_listing_them(
    reference: GeographicReference, code: str
) -> None:
    with pytest.raises(InvalidInput) as error:
        InseeBirthPlaces(reference).check_birth_place(code, date(1980, 1, 1))
    (only,) = error.value.errors
    assert (only.field, only.rule) == ("birth_place_code", WHOLE_COMMUNE_RULE)
    for place in reference.arrondissements(code, date(1980, 1, 1)):
        assert place.code in only.message and place.label in only.message


def test_marseille_as_a_whole_is_accepted_before_its_arrondissements_existed(
    reference: GeographicReference,
) -> None:
    assert InseeBirthPlaces(reference).check_birth_place("13055", date(1945, 1, 1)) is None


def test_an_arrondissement_and_an_ordinary_commune_are_accepted(
    reference: GeographicReference,
) -> None:
    places = InseeBirthPlaces(reference)
    assert places.check_birth_place("75116", date(1980, 1, 1)) is None
    assert places.check_birth_place("2B020", date(1980, 1, 1)) is None
