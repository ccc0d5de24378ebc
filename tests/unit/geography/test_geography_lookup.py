from datetime import date

import pytest

from identito.geography import (
    GeographyError,
    InvalidPlaceCode,
    PlaceKind,
    PlaceNotValidOnDate,
    UnknownPlaceCode,
)


def test_ajaccio_1950_is_20004_and_2a004_is_not_yet_valid(reference):
    assert reference.lookup("20004", date(1950, 6, 1)).place.label == "Ajaccio"
    with pytest.raises(PlaceNotValidOnDate):
        reference.lookup("2A004", date(1950, 6, 1))


def test_ajaccio_1980_is_2a004_and_20004_has_expired_with_its_period_in_french(reference):
    assert reference.lookup("2A004", date(1980, 3, 12)).place.code == "2A004"
    with pytest.raises(PlaceNotValidOnDate) as raised:
        reference.lookup("20004", date(1980, 3, 12))
    assert raised.value.message == (
        "Le code 20004 (Ajaccio) était valide du 01/01/1943 au 31/12/1975, pas le 12/03/1980."
    )
    assert raised.value.periods == [(date(1943, 1, 1), date(1976, 1, 1), "Ajaccio")]


def test_corsican_codes_are_accepted_in_lower_case_and_normalised(reference):
    check = reference.lookup(" 2b033 ", date(2000, 1, 1))
    assert check.code == "2B033"
    assert check.place.label == "Bastia"


def test_the_end_date_of_a_period_is_not_valid_but_the_day_before_is(reference):
    assert reference.lookup("20004", date(1975, 12, 31)).place.code == "20004"
    with pytest.raises(PlaceNotValidOnDate):
        reference.lookup("20004", date(1976, 1, 1))
    assert reference.lookup("2A004", date(1976, 1, 1)).place.code == "2A004"


def test_a_code_reused_in_both_commune_files_gives_the_place_of_the_date(reference):
    assert reference.lookup("91103", date(1950, 1, 1)).place.label == "Bou-Saada (commune mixte)"
    assert reference.lookup("91103", date(1990, 1, 1)).place.label == "Brétigny-sur-Orge"
    with pytest.raises(PlaceNotValidOnDate) as raised:
        reference.lookup("91103", date(1965, 1, 1))
    assert [label for _, _, label in raised.value.periods] == [
        "Bou-Saada (commune mixte)",
        "Brétigny-sur-Orge",
    ]


def test_an_algerian_commune_is_valid_in_1950_without_warning(reference):
    check = reference.lookup("94101", date(1950, 1, 1))
    assert check.place.kind is PlaceKind.COMMUNE
    assert check.warning is None


def test_algeria_country_code_for_a_birth_in_1950_is_accepted_with_a_warning(reference):
    check = reference.lookup("99352", date(1950, 1, 1))
    assert check.place.label == "Algérie"
    assert check.place.kind is PlaceKind.COUNTRY
    assert "05/07/1962" in check.warning


def test_99123_is_urss_before_25_december_1991_and_russie_from_that_day(reference):
    assert reference.lookup("99123", date(1980, 1, 1)).place.label == "URSS"
    assert reference.lookup("99123", date(1991, 12, 24)).place.label == "URSS"
    assert reference.lookup("99123", date(1991, 12, 25)).place.label == "Russie"


def test_rda_99141_is_valid_in_1980_but_not_after_reunification(reference):
    assert reference.lookup("99141", date(1980, 1, 1)).warning is None
    with pytest.raises(PlaceNotValidOnDate) as raised:
        reference.lookup("99141", date(1995, 1, 1))
    assert "02/10/1990" in raised.value.message


def test_99999_is_the_unknown_birth_place(reference):
    check = reference.lookup("99999", date(1970, 1, 1))
    assert check.place.label == "Lieu de naissance inconnu"
    assert check.place.kind is PlaceKind.COUNTRY
    assert check.warning is None


def test_an_extension_code_is_accepted_with_a_warning_naming_its_cog_code(reference):
    check = reference.lookup("75201", date(1990, 1, 1))
    assert check.code == "75201"
    assert check.place.code == "75101"
    assert "75101" in check.warning


def test_a_commune_code_existing_in_1943_is_accepted_before_1943_with_a_warning(reference):
    check = reference.lookup("01001", date(1930, 5, 1))
    assert check.place.code == "01001"
    assert "01/01/1943" in check.warning


def test_a_code_created_after_1943_is_not_accepted_for_an_earlier_date(reference):
    with pytest.raises(PlaceNotValidOnDate):
        reference.lookup("2A004", date(1930, 1, 1))


def test_a_dom_commune_code_before_departmentalisation_is_accepted_with_a_warning(reference):
    check = reference.lookup("97105", date(1945, 1, 1))
    assert check.place.label == "Basse-Terre"
    assert "21/03/1946" in check.warning


def test_a_code_that_never_existed_raises_unknown_place_code(reference):
    with pytest.raises(UnknownPlaceCode) as raised:
        reference.lookup("00000", date(2000, 1, 1))
    assert raised.value.code == "unknown_place_code"
    assert isinstance(raised.value, GeographyError)


@pytest.mark.parametrize("code", ["", "1234", "123456", "2C004", "ABCDE", "20 04"])
def test_a_code_that_is_not_five_insee_characters_raises_invalid_place_code(reference, code):
    with pytest.raises(InvalidPlaceCode) as raised:
        reference.lookup(code, date(2000, 1, 1))
    assert "5 caractères" in raised.value.message


def test_an_empty_period_is_valid_on_no_date(reference):
    with pytest.raises(PlaceNotValidOnDate) as raised:
        reference.lookup("44225", date(2018, 1, 1))
    assert "aucune date" in raised.value.message


def test_current_communes_carry_their_postal_codes_and_old_periods_none(reference):
    assert "76600" in reference.lookup("76351", date(2000, 1, 1)).place.postal_codes
    assert reference.lookup("20004", date(1950, 1, 1)).place.postal_codes == ()


def test_check_birth_place_is_the_same_as_lookup(reference):
    on = date(1950, 1, 1)
    assert reference.check_birth_place("20004", on) == reference.lookup("20004", on)
