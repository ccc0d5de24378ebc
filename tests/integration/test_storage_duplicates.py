"""Blocking for duplicate detection (``candidates``) and the use case, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from identito.domain.duplicate_model import DEFAULT, TermFrequencies, Trait
from identito.domain.duplicates import record_of
from identito.domain.identifiers import Ins, Oid
from identito.domain.status import CollisionLevel
from identito.services.duplicate_scan import estimate_model, scan_pairs
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
    for identity in (local, with_ins):  # two holders: only in collision (R-DU-03)
        identity.record_ins_retrieval(INS, now=NOW)
        identity.declare_collision(CollisionLevel.POTENTIAL, now=NOW)
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
        "homonym": make_identity(birth_place_code="69383"),
        "unrelated": make_identity(
            birth_name="BERNARD", first_birth_first_name="LUC", birth_first_names=["LUC"]
        ),
    }
    _store(uow_factory, admin, {"local": local, **people})
    found = find_duplicates(local.id, uow=uow_factory(), actor=vigilance, rules=rules)
    assert [d.identity.id for d in found] == [people[k].id for k in ("same", "typo", "homonym")]


def test_candidates_include_names_that_sound_alike_in_the_same_year(
    uow_factory, make_identity, admin
):
    local = make_identity(birth_name="SCHMIDT", used_name="DURAND")  # born 1980-03-01
    people = {
        "typo_in_first_letters": make_identity(birth_name="CHMIDT", birth_date="1980-09-20"),
        "used_name_sounds_alike": make_identity(
            birth_name="LEROY", used_name="DURANT", birth_date="1980-10-02"
        ),
        "other_year": make_identity(birth_name="CHMIDT", birth_date="1982-09-20"),
    }
    _store(uow_factory, admin, {"local": local, **people})
    with uow_factory() as uow:
        found = {i.id for i in uow.identities.candidates(local, limit=200)}
    assert found == {people["typo_in_first_letters"].id, people["used_name_sounds_alike"].id}


def test_scan_records_stream_the_active_identities_with_their_keys(
    uow_factory, make_identity, admin
):
    local = make_identity(birth_name="DU-PONT", used_name="MARTIN")
    merged = make_identity()
    merged.active = False
    _store(uow_factory, admin, {"local": local, "merged": merged})
    with uow_factory() as uow:
        records = list(uow.identities.scan_records())
    assert [r.id for r in records] == [local.id]
    assert records[0].names == ("DUPONT", "MARTIN")
    assert records[0] == record_of(local)


def test_the_estimated_model_and_frequencies_are_stored_and_read_by_key(uow_factory, admin):
    frequencies = TermFrequencies(
        {Trait.NAME: {"MARTIN": 0.01, "DUPONT": 0.002}, Trait.FIRST_NAMES: {"JEAN": 0.03},
         Trait.BIRTH_PLACE: {"99134": 0.01}},
        {Trait.NAME: 0.001, Trait.FIRST_NAMES: 0.004, Trait.BIRTH_PLACE: 0.0002},
        {Trait.NAME: 1e-5, Trait.FIRST_NAMES: 1e-5, Trait.BIRTH_PLACE: 1e-5},
    )  # fmt: skip
    with uow_factory() as uow:
        assert uow.duplicate_model.parameters() is None
        uow.duplicate_model.save(replace(DEFAULT, estimated=True), frequencies)
        uow.commit(admin, NOW)
    with uow_factory() as uow:
        assert uow.duplicate_model.parameters() == replace(DEFAULT, estimated=True)
        some = uow.duplicate_model.term_frequencies(
            {Trait.NAME: ["MARTIN", "ZORN"], Trait.FIRST_NAMES: ["JEAN"]}
        )
        everything = uow.duplicate_model.term_frequencies()
    shares = {Trait.NAME: {"MARTIN": 0.01}, Trait.FIRST_NAMES: {"JEAN": 0.03},
              Trait.BIRTH_PLACE: {}}  # fmt: skip
    assert some == replace(frequencies, shares=shares)
    assert everything == frequencies


def test_the_scan_and_the_estimation_run_on_the_database(uow_factory, make_identity, admin, rules):
    local = make_identity()
    people = [local, make_identity(birth_name="DUPOND"), make_identity(birth_date="1980-01-03"),
              make_identity(birth_name="BERNARD", first_birth_first_name="LUC",
                            birth_first_names=["LUC"])]  # fmt: skip
    _store(uow_factory, admin, {str(n): p for n, p in enumerate(people)})
    before = {(p.first_id, p.second_id) for p in scan_pairs(uow_factory(), threshold=0.5)}
    model = estimate_model(uow_factory(), actor=admin, rules=rules, random_pairs=500)
    with uow_factory() as uow:
        assert uow.duplicate_model.parameters() == model
    after = {(p.first_id, p.second_id) for p in scan_pairs(uow_factory(), threshold=0.5)}
    expected = {tuple(sorted((local.id, people[k].id))) for k in (1, 2)}
    assert expected <= before
    assert all(local.id in pair or pair in before for pair in after)
