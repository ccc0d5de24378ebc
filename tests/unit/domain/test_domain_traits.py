"""Trait rules: first-name agreement, used traits, date, sex, birth place, mandatory fields."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from fakes import NOW, FakePlaces, identity_input
from identito.domain.errors import InvalidInput
from identito.domain.identity import Identity
from identito.domain.trait_set import (
    MANDATORY_FIELDS,
    RECEIVED_ENTRY,
    TYPED_ENTRY,
    IdentityWarning,
    Traits,
    WarningCode,
    parse_traits,
)
from identito.domain.traits import BirthDate, Sex, first_name_agrees, normalize_place_code

LIST = ("JEAN", "CHRISTOPHE", "PIERRE")


def parse(
    places: FakePlaces | None = None,
    enforce: frozenset[str] = TYPED_ENTRY,
    **changes: Any,
) -> tuple[Traits, tuple[IdentityWarning, ...]]:
    data = identity_input(**changes)
    return parse_traits(data, today=NOW.date(), places=places or FakePlaces(), enforce=enforce)


def error_fields(error: pytest.ExceptionInfo[InvalidInput]) -> list[str]:
    return [e.field for e in error.value.errors]


def warning_codes(warnings: tuple[IdentityWarning, ...]) -> set[WarningCode]:
    return {w.code for w in warnings}


# -- first birth first name ------------------------------------------------------------


@pytest.mark.parametrize(
    "first",
    ["JEAN", "JEAN CHRISTOPHE", "JEAN-CHRISTOPHE", "JEAN'CHRISTOPHE", "JEAN CHRISTOPHE PIERRE"],
)
def test_a_first_birth_first_name_agrees_when_it_is_whole_first_names_from_the_start_of_the_list(
    first: str,
) -> None:
    assert first_name_agrees(first, LIST)


@pytest.mark.parametrize(
    "first",
    ["JEAN-CHRISTOPHE", "JEAN CHRISTOPHE", "JEAN-CHRISTOPHE-PIERRE", "JEAN CHRISTOPHE PIERRE"],
)
def test_a_hyphenated_first_name_of_the_list_agrees_whole_hyphen_or_space(first: str) -> None:
    assert first_name_agrees(first, ("JEAN-CHRISTOPHE", "PIERRE"))


@pytest.mark.parametrize("first", ["CHRISTOPHE", "PIERRE", "JEA", "JEANNE", "JEAN PIERRE"])
def test_a_first_birth_first_name_that_does_not_start_the_list_disagrees(first: str) -> None:
    assert not first_name_agrees(first, LIST)


@pytest.mark.parametrize("first", ["PIERRE-ALAIN", "PIERRE ALAIN", "PIERRE-ALAIN MURIEL"])
def test_a_compound_first_name_agrees_only_whole(first: str) -> None:
    assert first_name_agrees(first, ("PIERRE-ALAIN", "MURIEL"))


@pytest.mark.parametrize("first", ["PIERRE", "ALAIN", "PIERRE-ALAIN-MUR"])
def test_part_of_a_compound_first_name_does_not_agree_with_it(first: str) -> None:
    assert not first_name_agrees(first, ("PIERRE-ALAIN", "MURIEL"))


def test_a_disagreeing_first_birth_first_name_is_refused_when_typed_naming_field_and_rule() -> None:
    with pytest.raises(InvalidInput) as error:
        parse(first_birth_first_name="Christophe")
    assert [(e.field, e.rule) for e in error.value.errors] == [
        ("first_birth_first_name", "first_name_disagrees")
    ]


def test_a_disagreeing_first_birth_first_name_received_is_kept_with_a_warning() -> None:
    traits, warnings = parse(first_birth_first_name="Christophe", enforce=RECEIVED_ENTRY)
    identity = Identity.create(traits, warnings, now=NOW)
    assert identity.traits.first_birth_first_name == "CHRISTOPHE"
    assert WarningCode.FIRST_NAME_DISAGREES in warning_codes(identity.warnings)
    assert WarningCode.FIRST_NAME_DISAGREES not in warning_codes(parse()[1])


def test_the_birth_first_names_list_is_split_on_spaces_when_given_as_text() -> None:
    traits, _ = parse(
        birth_first_names="jean-christophe  pierre", first_birth_first_name="Jean-Christophe"
    )
    assert traits.birth_first_names == ("JEAN-CHRISTOPHE", "PIERRE")


# -- used traits -------------------------------------------------------------------------


def test_used_name_and_used_first_name_are_never_filled_from_the_birth_traits() -> None:
    traits, _ = parse()
    assert (traits.used_name, traits.used_first_name) == (None, None)
    identity = Identity.create(traits, (), now=NOW)
    assert identity.snapshot()["used_name"] is None
    assert identity.snapshot()["used_first_name"] is None


def test_used_name_and_used_first_name_are_kept_as_entered_in_the_profile() -> None:
    traits, _ = parse(used_name="Martin", used_first_name="Jeannot")
    assert (traits.used_name, traits.used_first_name) == ("MARTIN", "JEANNOT")


# -- birth date ---------------------------------------------------------------------------


def test_a_birth_date_is_written_yyyy_mm_dd() -> None:
    birth_date = BirthDate.parse("1980-03-12")
    assert (birth_date.raw, birth_date.value, birth_date.uncertain) == (
        "1980-03-12",
        date(1980, 3, 12),
        False,
    )


@pytest.mark.parametrize(
    "raw",
    [
        "12/03/1980",
        "1980-3-12",
        "19800312",
        "80-03-12",
        "1980-03-12T00:00",
        "١٩٨٠-٠٣-١٢",  # Arabic-Indic digits are not the ASCII format
        "",
    ],
)
def test_a_badly_formatted_birth_date_is_refused(raw: str) -> None:
    with pytest.raises(InvalidInput) as error:
        BirthDate.parse(raw)
    assert error.value.errors[0].rule == "date_format"


@pytest.mark.parametrize(
    "raw", ["1981-02-29", "1980-02-30", "1980-13-01", "1980-04-31", "0000-01-01"]
)
def test_a_non_existent_birth_date_is_refused(raw: str) -> None:
    with pytest.raises(InvalidInput) as error:
        BirthDate.parse(raw)
    assert error.value.errors[0].rule == "date_invalid"


@pytest.mark.parametrize(
    ("raw", "completed"),
    [
        ("1960-00-00", date(1960, 12, 31)),
        ("1960-05-00", date(1960, 5, 1)),
        ("1960-00-15", date(1960, 1, 15)),
    ],
)
def test_an_exceptional_birth_date_is_kept_as_received_and_completed(
    raw: str, completed: date
) -> None:
    birth_date = BirthDate.parse(raw)
    assert (birth_date.raw, birth_date.value, birth_date.uncertain) == (raw, completed, True)


def test_an_exceptional_birth_date_puts_an_uncertain_date_warning_on_the_identity() -> None:
    traits, warnings = parse(birth_date="1960-00-00")
    identity = Identity.create(traits, warnings, now=NOW)
    assert identity.traits.birth_date.raw == "1960-00-00"
    assert identity.snapshot()["birth_date"] == "1960-00-00"
    assert WarningCode.UNCERTAIN_BIRTH_DATE in warning_codes(identity.warnings)


def test_a_birth_date_in_the_future_is_refused() -> None:
    tomorrow = (NOW.date() + timedelta(days=1)).isoformat()
    with pytest.raises(InvalidInput) as error:
        parse(birth_date=tomorrow)
    assert error.value.errors[0].rule == "date_in_future"
    assert parse(birth_date=NOW.date().isoformat())[0].birth_date.value == NOW.date()


# -- sex ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "sex"),
    [("M", Sex.MALE), ("F", Sex.FEMALE), ("I", Sex.INDETERMINATE), ("f", Sex.FEMALE)],
)
def test_sex_is_m_f_or_i(raw: str, sex: Sex) -> None:
    assert Sex.parse(raw) is sex


@pytest.mark.parametrize("raw", ["H", "X", "U", "0", "MF", "Masculin"])
def test_any_other_sex_is_refused(raw: str) -> None:
    with pytest.raises(InvalidInput) as error:
        parse(sex=raw)
    assert error_fields(error) == ["sex"]


# -- birth place ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("75056", "75056"),
        ("2A004", "2A004"),
        ("2b033", "2B033"),
        ("97411", "97411"),
        ("99100", "99100"),
    ],
)
def test_a_birth_place_code_has_five_characters_with_2a_or_2b_for_corsica(
    raw: str, code: str
) -> None:
    assert normalize_place_code(raw) == code


@pytest.mark.parametrize("raw", ["7505", "750561", "2C004", "ABCDE", "2A0O4", "٧٥٠٥٦"])
def test_a_malformed_birth_place_code_is_refused(raw: str) -> None:
    with pytest.raises(InvalidInput) as error:
        parse(birth_place_code=raw)
    assert [(e.field, e.rule) for e in error.value.errors] == [("birth_place_code", "place_format")]


def test_unknown_birth_place_99999_is_accepted_when_entered_and_warned() -> None:
    places = FakePlaces()
    traits, warnings = parse(places, birth_place_code="99999")
    assert traits.birth_place_code == "99999"
    assert WarningCode.UNKNOWN_BIRTH_PLACE in warning_codes(warnings)


@pytest.mark.parametrize("missing", [None, "", "  "])
def test_a_missing_birth_place_is_a_required_error_never_defaulted_to_unknown(
    missing: str | None,
) -> None:
    with pytest.raises(InvalidInput) as error:
        parse(birth_place_code=missing)
    assert [(e.field, e.rule) for e in error.value.errors] == [("birth_place_code", "required")]


def test_a_birth_place_is_checked_by_the_place_register_at_the_completed_birth_date() -> None:
    places = FakePlaces()
    parse(places, birth_date="1960-00-00", birth_place_code="2a004")
    assert places.calls == [("2A004", date(1960, 12, 31))]


def test_a_code_refused_by_the_place_register_is_an_error_on_the_birth_place_code() -> None:
    with pytest.raises(InvalidInput) as error:
        parse(FakePlaces(refused={"2B020"}))
    assert [(e.field, e.rule) for e in error.value.errors] == [
        ("birth_place_code", "place_unknown")
    ]


def test_a_warning_of_the_place_register_is_carried_by_the_identity() -> None:
    traits, warnings = parse(FakePlaces(warning="Code pays postérieur à la naissance."))
    identity = Identity.create(traits, warnings, now=NOW)
    assert IdentityWarning(WarningCode.BIRTH_PLACE, "Code pays postérieur à la naissance.") in (
        identity.warnings
    )


# -- mandatory fields ---------------------------------------------------------------------------


@pytest.mark.parametrize("field", MANDATORY_FIELDS)
@pytest.mark.parametrize("missing", [None, "", "   "])
def test_each_mandatory_field_is_required_at_creation(field: str, missing: str | None) -> None:
    with pytest.raises(InvalidInput) as error:
        parse(**{field: missing})
    assert [(e.field, e.rule) for e in error.value.errors] == [(field, "required")]


def test_every_missing_mandatory_field_is_reported_at_once() -> None:
    with pytest.raises(InvalidInput) as error:
        parse_traits({}, today=NOW.date(), places=FakePlaces())
    assert error_fields(error) == list(MANDATORY_FIELDS)


def test_every_faulty_field_is_reported_at_once_whatever_its_fault() -> None:
    with pytest.raises(InvalidInput) as error:
        parse(birth_name=None, sex="X", birth_date="1980-02-30", used_first_name="JEAN-")
    assert sorted(error_fields(error)) == ["birth_date", "birth_name", "sex", "used_first_name"]


@pytest.mark.parametrize("first_names", [None, [], "", "  "])
def test_an_empty_birth_first_names_list_is_refused_when_typed(first_names: Any) -> None:
    with pytest.raises(InvalidInput) as error:
        parse(birth_first_names=first_names)
    assert [(e.field, e.rule) for e in error.value.errors] == [
        ("birth_first_names", "first_names_required")
    ]


@pytest.mark.parametrize("first_names", [None, [], "", "  "])
def test_an_empty_birth_first_names_list_received_is_kept_with_a_warning(first_names: Any) -> None:
    traits, warnings = parse(birth_first_names=first_names, enforce=RECEIVED_ENTRY)
    assert traits.birth_first_names == ()
    assert warning_codes(warnings) == {WarningCode.FIRST_NAMES_MISSING}


def test_an_exceptional_birth_date_of_the_current_year_is_not_a_future_date() -> None:
    raw = f"{NOW.year}-00-00"
    birth_date = parse(birth_date=raw)[0].birth_date
    assert (birth_date.raw, birth_date.uncertain) == (raw, True)
    with pytest.raises(InvalidInput) as error:
        parse(birth_date=f"{NOW.year + 1}-00-00")
    assert error.value.errors[0].rule == "date_in_future"
