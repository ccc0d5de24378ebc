"""Anteriority search keys, closeness and ranking (issue 16): pure domain rules."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from anteriority_cases import BORN, CASE_IDS, CASES, PEOPLE
from fakes import make_identity
from identito.domain.anteriority import (
    AnteriorityQuery,
    Candidate,
    DateMatch,
    KeyKind,
    NameMatch,
    closeness,
    identity_keys,
    name_keys,
    rank,
    sound,
)
from identito.domain.identity import Identity
from identito.domain.traits import Sex
from identito.services.anteriority import anteriority_query


def _people() -> dict[str, Identity]:
    return {nick: make_identity(**fields) for nick, fields in PEOPLE.items()}


def _found(query: AnteriorityQuery, people: dict[str, Identity]) -> list[str]:
    by_id = {i.id: nick for nick, i in people.items()}
    found = rank(query, [Candidate(i, i) for i in people.values()])
    return [by_id[m.identity.id] for m in found]


@pytest.mark.parametrize(("case", "fields", "expected"), CASES, ids=CASE_IDS)
def test_every_example_of_the_issue_finds_the_person(
    case: str, fields: dict[str, Any], expected: str
) -> None:
    assert _found(anteriority_query(**fields), _people()) == [expected]


def test_particles_alone_are_never_a_name_key() -> None:
    assert name_keys("D'AUGER") == {"DAUGER", "AUGER"}
    assert name_keys("LE ROUX") == {"LEROUX", "ROUX"}
    assert name_keys("VAN DER BERG") == {"VANDERBERG", "DERBERG", "BERG"}
    assert name_keys("DA SILVA DOS SANTOS") >= {"SILVA", "SANTOS", "DASILVADOSSANTOS"}


def test_the_sound_key_is_the_duplicate_model_phonetic_key_with_a_final_z_read_as_s() -> None:
    assert sound("FERNANDEZ") == sound("FERNANDES")
    assert sound("LEROUX") == sound("LERUX")
    assert sound("GAUTHIER") == sound("GOTIER")


def test_every_birth_first_name_and_the_used_names_give_keys() -> None:
    identity = make_identity(
        birth_name="GARNIER", used_name="DURAND", used_first_name="ALEX",
        birth_first_names=["PIERRE", "ALEXANDRE"], first_birth_first_name="PIERRE",
    )  # fmt: skip
    keys = identity_keys(identity.traits)
    for kind, value in [
        (KeyKind.NAME, "GARNIER"), (KeyKind.NAME, "DURAND"), (KeyKind.FIRST_NAME, "PIERRE"),
        (KeyKind.FIRST_NAME, "ALEXANDRE"), (KeyKind.FIRST_NAME, "ALEX"),
        (KeyKind.NAME_SOUND, sound("GARNIER")), (KeyKind.FIRST_NAME_SOUND, sound("ALEXANDRE")),
    ]:  # fmt: skip
        assert (kind, value) in keys


def test_the_exact_date_ranks_before_swapped_before_one_day_off() -> None:
    exact = make_identity(birth_name="GARNIER", birth_date="1980-03-12")
    swapped = make_identity(birth_name="GARNIER", birth_date="1980-12-03")
    next_day = make_identity(birth_name="GARNIER", birth_date="1980-03-13")
    far = make_identity(birth_name="GARNIER", birth_date="1980-03-15")
    people = {"far": far, "next_day": next_day, "swapped": swapped, "exact": exact}
    query = anteriority_query(birth_date=BORN, name="garnier")
    assert _found(query, people) == ["exact", "swapped", "next_day"]


def test_the_whole_name_ranks_before_a_word_before_a_start_before_a_sound() -> None:
    people = {
        "sound": make_identity(birth_name="ROUS"),
        "start": make_identity(birth_name="ROUXEL"),
        "word": make_identity(birth_name="LE ROUX"),
        "exact": make_identity(birth_name="ROUX"),
    }
    assert _found(anteriority_query(birth_date=BORN, name="roux"), people) == [
        "exact", "word", "start", "sound",
    ]  # fmt: skip


def test_the_matching_traits_are_named_for_highlighting() -> None:
    identity = make_identity(**PEOPLE["garnier"])
    query = anteriority_query(birth_date="1980-03-13", name="garnier", first_name="alexandre")
    found = closeness(query, identity.traits)
    assert found is not None
    assert found.date is DateMatch.NEAR
    assert (found.name, found.first_name) == (NameMatch.EXACT, NameMatch.EXACT)
    assert found.matched == {"birth_name", "birth_first_names", "birth_date"}
    assert found.labels() == ["nom : identique", "prénom : identique", "date : à un jour près"]


def test_a_used_name_match_highlights_the_used_name() -> None:
    found = closeness(
        anteriority_query(birth_date=BORN, name="noir"), make_identity(**PEOPLE["blanc"]).traits
    )
    assert found is not None and "used_name" in found.matched and "birth_name" not in found.matched


def test_another_sex_or_name_or_date_does_not_answer() -> None:
    traits = make_identity(**PEOPLE["le_roux"]).traits
    assert closeness(anteriority_query(birth_date=BORN, name="roux", sex="F"), traits) is None
    assert closeness(anteriority_query(birth_date=BORN, name="martin"), traits) is None
    assert closeness(anteriority_query(birth_date="1980-03-14", name="roux"), traits) is None
    assert closeness(anteriority_query(birth_year="1981", name="roux", first_name="marc"),
                     traits) is None  # fmt: skip


def test_a_merged_identity_found_by_its_old_traits_leads_to_its_survivor() -> None:
    survivor = make_identity(birth_name="LEFEVRE")
    merged = make_identity(birth_name="LEFEBVRE")
    merged.active, merged.merged_into = False, survivor.id
    query = anteriority_query(birth_date=BORN, name="lefebvre")
    found = rank(query, [Candidate(merged, survivor), Candidate(survivor, survivor)])
    assert [(m.identity.id, m.merged) for m in found] == [(survivor.id, merged)]


def test_an_identity_found_by_its_own_traits_and_a_merged_ones_is_listed_once() -> None:
    survivor = make_identity(birth_name="LEFEVRE")
    merged = make_identity(birth_name="LEFEVRE")
    merged.active, merged.merged_into = False, survivor.id
    query = anteriority_query(birth_date=BORN, name="lefevre")
    found = rank(query, [Candidate(merged, survivor), Candidate(survivor, survivor)])
    assert [(m.identity.id, m.merged) for m in found] == [(survivor.id, None)]


def test_without_a_birth_date_the_year_needs_name_and_first_name() -> None:
    with pytest.raises(Exception) as error:
        anteriority_query(birth_year="1980", name="garnier")
    assert [(e.field, e.rule) for e in error.value.errors] == [  # type: ignore[attr-defined]
        ("birth_year", "year_needs_names")
    ]


def test_without_any_date_the_search_is_refused() -> None:
    with pytest.raises(Exception) as error:
        anteriority_query(name="garnier", first_name="pierre")
    assert [(e.field, e.rule) for e in error.value.errors] == [  # type: ignore[attr-defined]
        ("birth_date", "required")
    ]


def test_a_date_range_needs_a_name_or_first_name_and_its_bounds_in_order() -> None:
    with pytest.raises(Exception) as error:
        anteriority_query(born_from="1980-01-01", born_to="1980-12-31")
    assert error.value.errors[0].rule == "range_needs_name"  # type: ignore[attr-defined]
    with pytest.raises(Exception) as error:
        anteriority_query(born_from="1981-01-01", born_to="1980-12-31", name="x")
    assert error.value.errors[0].rule == "range_order"  # type: ignore[attr-defined]


def test_the_query_dates_are_the_date_swapped_and_one_day_off() -> None:
    query = AnteriorityQuery(birth_date=date(1980, 3, 12), sex=Sex.MALE)
    assert set(query.dates()) == {
        date(1980, 3, 12), date(1980, 12, 3), date(1980, 3, 11), date(1980, 3, 13),
    }  # fmt: skip
