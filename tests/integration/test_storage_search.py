"""Anteriority search and search by matricule, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from identito.domain.identifiers import Ins, Oid
from identito.domain.traits import Sex, search_key
from identito.services.unit_of_work import SearchCriteria

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
BORN = date(1980, 3, 1)


@pytest.fixture
def stored(uow_factory, make_identity, admin):
    """A few synthetic identities born on the same day, by nickname."""
    people = {
        "dupont": make_identity(birth_name="DUPONT", used_name="MARTIN"),
        "darc": make_identity(
            birth_name="D'ARC",
            first_birth_first_name="JEANNE",
            birth_first_names="JEANNE",
            sex="F",
        ),
        "le_goff": make_identity(
            birth_name="LE GOFF",
            first_birth_first_name="JEAN-PIERRE",
            birth_first_names="JEAN-PIERRE LOUIS",
            used_first_name="JP",
        ),
        "helene": make_identity(
            birth_name="HÉLÈNE",
            first_birth_first_name="ÉLODIE",
            birth_first_names="ÉLODIE",
            sex="F",
        ),
        "other_day": make_identity(birth_name="DUPONT", birth_date="1980-03-02"),
    }
    with uow_factory() as uow:
        for identity in people.values():
            uow.identities.add(identity)
        uow.commit(admin, NOW)
    return people


def _search(uow_factory, name=None, first_name=None, sex=None, limit=50, born=BORN):
    criteria = SearchCriteria(
        birth_date=born,
        name_key=search_key(name) if name else None,
        first_name_key=search_key(first_name) if first_name else None,
        sex=sex,
        limit=limit,
    )
    with uow_factory() as uow:
        return [identity.id for identity in uow.identities.search(criteria)]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("DUPONT", "dupont"),  # birth name
        ("MARTIN", "dupont"),  # used name
        ("dup", "dupont"),  # prefix, any case
        ("D'ARC", "darc"),
        ("DAR", "darc"),  # apostrophe dropped
        ("D ARC", "darc"),
        ("LEGOFF", "le_goff"),  # space dropped both ways
        ("LE-GOFF", "le_goff"),
        ("HELENE", "helene"),  # accents dropped
        ("Hélène", "helene"),
    ],
)
def test_a_name_finds_the_identity_by_birth_or_used_name(uow_factory, stored, name, expected):
    assert _search(uow_factory, name=name) == [stored[expected].id]


def test_a_name_matches_the_start_of_a_name_only(uow_factory, stored):
    assert _search(uow_factory, name="PONT") == []
    assert _search(uow_factory, name="GOFF") == []


@pytest.mark.parametrize(
    ("first_name", "expected"),
    [
        ("JEAN PIERRE", "le_goff"),  # the first birth first name, separators dropped
        ("JEAN-PIERRE", "le_goff"),
        ("LOUIS", "le_goff"),  # any birth first name
        ("JP", "le_goff"),  # the used first name
        ("ELO", "helene"),
    ],
)
def test_a_first_name_finds_the_identity_by_any_of_its_first_names(
    uow_factory, stored, first_name, expected
):
    found = _search(uow_factory, first_name=first_name)
    assert stored[expected].id in found
    assert stored["darc"].id not in found


def test_a_first_name_prefix_finds_every_matching_identity(uow_factory, stored):
    found = _search(uow_factory, first_name="JEAN")
    assert set(found) == {stored["dupont"].id, stored["darc"].id, stored["le_goff"].id}


def test_the_birth_date_must_match_exactly(uow_factory, stored):
    assert _search(uow_factory, name="DUPONT", born=date(1980, 3, 2)) == [stored["other_day"].id]
    assert _search(uow_factory, name="DUPONT", born=date(1981, 3, 1)) == []


def test_the_sex_filters_when_given(uow_factory, stored):
    women = _search(uow_factory, sex=Sex.FEMALE)
    assert set(women) == {stored["darc"].id, stored["helene"].id}


def test_results_are_sorted_by_birth_name_then_first_name_and_limited(uow_factory, stored):
    everyone = _search(uow_factory)
    names = ["darc", "dupont", "helene", "le_goff"]
    assert everyone == [stored[n].id for n in names]
    assert _search(uow_factory, limit=2) == [stored[n].id for n in names[:2]]


def test_search_keys_with_like_wildcards_match_nothing_by_accident(uow_factory, stored):
    criteria = SearchCriteria(birth_date=BORN, name_key="%", first_name_key="_")
    with uow_factory() as uow:
        assert uow.identities.search(criteria) == []


def test_a_matricule_finds_the_identity_carrying_it_or_having_carried_it(
    uow_factory, stored, admin
):
    first = Ins.parse("180032B02040123", Oid.NIR_TEST.value, allow_test_oids=True)
    second = Ins.parse("295109912611193", Oid.NIR_TEST.value, allow_test_oids=True)
    with uow_factory() as uow:
        identity = uow.identities.get(stored["darc"].id)
        identity.record_ins_retrieval(first, now=NOW)
        identity.change_ins(second, may_change_protected=True, now=NOW)
        uow.identities.update(identity)
        uow.commit(admin, NOW)

    with uow_factory() as uow:
        for number in (first.number.number, second.number.number):
            found = uow.identities.search(SearchCriteria(ins_number=number))
            assert [i.id for i in found] == [identity.id]
        assert uow.identities.search(SearchCriteria(ins_number="180032B02040124")) == []


def test_an_identity_added_in_the_unit_of_work_is_found_before_commit(uow_factory, make_identity):
    identity = make_identity(birth_name="NOUVEAU")
    with uow_factory() as uow:
        uow.identities.add(identity)
        found = uow.identities.search(SearchCriteria(birth_date=BORN, name_key="NOUV"))
    assert found == [identity]
