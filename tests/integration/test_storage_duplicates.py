"""Blocking for duplicate detection (``candidates``) and the use case, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from identito.domain.identifiers import Ins, Oid
from identito.services.duplicates import find_duplicates

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
INS = Ins.parse("180037505612310", Oid.NIR.value)


def _store(uow_factory, admin, people):
    with uow_factory() as uow:
        for identity in people.values():
            uow.identities.add(identity)
        uow.commit(admin, NOW)


def test_candidates_are_blocked_on_dates_ins_and_name_prefixes(uow_factory, make_identity, admin):
    local = make_identity(birth_name="DUPONT", used_name="MARTIN")  # born 1980-03-01
    with_ins = make_identity(birth_name="LEFEBVRE", birth_date="1975-06-07")
    local.record_ins_retrieval(INS, now=NOW)
    with_ins.record_ins_retrieval(INS, now=NOW)
    people = {
        "same_day": make_identity(birth_name="LEFEBVRE"),
        "swapped": make_identity(birth_date="1980-01-03"),
        "used_name_prefix": make_identity(birth_name="MARTINEZ", birth_date="1980-11-30"),
        "birth_name_prefix": make_identity(birth_name="DUPOND", birth_date="1980-07-14"),
        "with_ins": with_ins,
        "other_year": make_identity(birth_date="1981-03-01"),
        "other_name": make_identity(birth_name="BERNARD", birth_date="1980-07-14"),
        "prefix_other_year": make_identity(birth_name="DUP", birth_date="1979-03-01"),
    }
    _store(uow_factory, admin, {"local": local, **people})
    with uow_factory() as uow:
        found = uow.identities.candidates(uow.identities.get(local.id), limit=200)
    expected = {"same_day", "swapped", "used_name_prefix", "birth_name_prefix", "with_ins"}
    assert {i.id for i in found} == {people[k].id for k in expected}
    assert found[0].id == people["same_day"].id  # the same birth date first


def test_the_candidate_count_is_limited(uow_factory, make_identity, admin):
    local = make_identity()
    people = {str(n): make_identity() for n in range(5)}
    _store(uow_factory, admin, {"local": local, **people})
    with uow_factory() as uow:
        assert len(uow.identities.candidates(local, limit=3)) == 3


def test_duplicates_are_found_best_first_on_the_database(
    uow_factory, make_identity, admin, rules, vigilance
):
    local = make_identity()
    people = {
        "typo": make_identity(birth_name="DUPOND"),
        "same": make_identity(),
        "homonym": make_identity(birth_place_code="69123"),
        "unrelated": make_identity(birth_name="BERNARD", first_birth_first_name="LUC"),
    }
    _store(uow_factory, admin, {"local": local, **people})
    found = find_duplicates(local.id, uow=uow_factory(), actor=vigilance, rules=rules)
    assert [d.identity.id for d in found] == [people[k].id for k in ("same", "typo", "homonym")]
