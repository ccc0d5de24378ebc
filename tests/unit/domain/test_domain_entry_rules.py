"""Strict traits are complete and plausible at entry; unchanged traits are not refused
again on a change (issue 11 §9 and §10)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from fakes import NOW, FakePlaces, identity_input, make_identity
from identito.domain.entry_rules import WHOLE_COMMUNE_RULE, is_old_birth_date
from identito.domain.errors import InvalidInput
from identito.domain.trait_set import (
    RECEIVED_ENTRY,
    IdentityWarning,
    Traits,
    WarningCode,
    parse_changed_traits,
    parse_traits,
)


def parse(
    places: FakePlaces | None = None,
    *,
    received: bool = False,
    confirmed: bool = False,
    **changes: Any,
) -> tuple[Traits, tuple[IdentityWarning, ...]]:
    kwargs: dict[str, Any] = {"enforce": RECEIVED_ENTRY} if received else {}
    return parse_traits(
        identity_input(**changes),
        today=NOW.date(),
        places=places or FakePlaces(),
        old_birth_date_confirmed=confirmed,
        **kwargs,
    )


def refusals(**changes: Any) -> list[tuple[str, str]]:
    with pytest.raises(InvalidInput) as error:
        parse(**changes)
    return [(e.field, e.rule) for e in error.value.errors]


def codes(warnings: tuple[IdentityWarning, ...]) -> set[WarningCode]:
    return {w.code for w in warnings}


# -- birth place ---------------------------------------------------------------------


def test_99100_france_as_a_country_is_refused_a_birth_in_france_needs_the_commune() -> None:
    assert refusals(birth_place_code="99100") == [("birth_place_code", "place_france_as_country")]


def test_france_as_a_country_received_is_kept_with_a_birth_place_warning() -> None:
    traits, warnings = parse(birth_place_code="99100", received=True)
    assert traits.birth_place_code == "99100"
    assert WarningCode.BIRTH_PLACE in codes(warnings)


def test_a_birth_place_unknown_to_the_register_is_refused_even_when_received() -> None:
    with pytest.raises(InvalidInput) as error:
        parse(FakePlaces(refused={"75999"}), birth_place_code="75999", received=True)
    assert [e.field for e in error.value.errors] == ["birth_place_code"]


class WholeCommunes(FakePlaces):
    """Refuses 75056 as the INSEE register does (a commune with arrondissements)."""

    def check_birth_place(self, code: str, on: date) -> str | None:
        if code == "75056":
            raise InvalidInput.single("birth_place_code", WHOLE_COMMUNE_RULE, "Paris entière")
        return None


def test_a_whole_commune_is_refused_when_typed_and_kept_with_a_warning_when_received() -> None:
    with pytest.raises(InvalidInput) as error:
        parse(WholeCommunes(), birth_place_code="75056")
    assert [e.rule for e in error.value.errors] == [WHOLE_COMMUNE_RULE]
    traits, warnings = parse(WholeCommunes(), birth_place_code="75056", received=True)
    assert traits.birth_place_code == "75056"
    assert WarningCode.BIRTH_PLACE in codes(warnings)


# -- birth date over 120 years -------------------------------------------------------


def test_a_birth_date_more_than_120_years_ago_is_refused_without_an_explicit_confirmation() -> None:
    assert refusals(birth_date="1850-06-01") == [("birth_date", "birth_date_confirmation_required")]


def test_a_birth_date_more_than_120_years_ago_is_accepted_when_confirmed() -> None:
    traits, warnings = parse(birth_date="1850-06-01", confirmed=True)
    assert traits.birth_date.raw == "1850-06-01"
    assert WarningCode.OLD_BIRTH_DATE not in codes(warnings)


def test_a_received_birth_date_more_than_120_years_ago_is_kept_with_a_warning() -> None:
    _, warnings = parse(birth_date="1850-06-01", received=True)
    assert WarningCode.OLD_BIRTH_DATE in codes(warnings)


def test_the_120_years_limit_counts_from_today() -> None:
    today = NOW.date()
    limit = today.replace(year=today.year - 120)
    assert not is_old_birth_date(limit, today)
    assert is_old_birth_date(limit.replace(day=limit.day - 1), today)


# -- a change refuses only on the changed traits ------------------------------------


def change(identity_traits: Traits, places: FakePlaces | None = None, **changes: Any) -> Traits:
    traits, _ = parse_changed_traits(
        identity_traits, changes, today=NOW.date(), places=places or FakePlaces()
    )
    return traits


def test_an_unchanged_birth_place_refused_by_the_register_is_not_refused_again_on_a_change() -> (
    None
):
    places = FakePlaces(refused={"97502"})
    stored = make_identity(birth_place_code="97502", entry=RECEIVED_ENTRY).traits
    traits, warnings = parse_changed_traits(
        stored, {"used_name": "MARTIN"}, today=NOW.date(), places=places
    )
    assert (traits.used_name, traits.birth_place_code) == ("MARTIN", "97502")
    assert WarningCode.BIRTH_PLACE in codes(warnings)


def test_changing_the_birth_date_checks_the_unchanged_birth_place_again() -> None:
    places = FakePlaces(refused={"97502"})
    stored = make_identity(birth_place_code="97502", entry=RECEIVED_ENTRY).traits
    with pytest.raises(InvalidInput) as error:
        change(stored, places, birth_date="1981-01-01")
    assert [e.field for e in error.value.errors] == ["birth_place_code"]


def test_an_identity_stored_with_an_empty_first_names_list_stays_editable_for_other_fields() -> (
    None
):
    stored = make_identity(birth_first_names=[], entry=RECEIVED_ENTRY).traits
    assert change(stored, used_name="MARTIN").used_name == "MARTIN"
    assert change(stored, birth_first_names="JEAN PAUL").birth_first_names == ("JEAN", "PAUL")
    with pytest.raises(InvalidInput) as error:
        change(stored, first_birth_first_name="PAUL")
    assert [e.rule for e in error.value.errors] == ["first_names_required"]


def test_an_old_birth_date_is_confirmed_only_when_it_changes() -> None:
    stored = make_identity(birth_date="1850-06-01", entry=RECEIVED_ENTRY).traits
    assert change(stored, used_name="MARTIN").used_name == "MARTIN"
    with pytest.raises(InvalidInput):
        change(stored, birth_date="1850-06-02")


def test_a_list_stored_with_a_spaced_item_is_no_change_when_another_field_changes() -> None:
    stored = replace(make_identity().traits, birth_first_names=("JEAN", "CHRISTOPHE PIERRE"))
    traits = change(stored, used_name="MARTIN")
    assert traits.birth_first_names == ("JEAN", "CHRISTOPHE PIERRE")
    assert stored.changed_fields(traits) == ("used_name",)
