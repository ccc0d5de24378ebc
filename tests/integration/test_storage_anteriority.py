"""Anteriority search on the search keys (issue 16), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from migration_support import upgrade, with_engine
from sqlalchemy import Connection, insert, inspect, select

from anteriority_cases import BORN, CASE_IDS, CASES, PEOPLE
from identito.adapters.mappers import identity_row
from identito.adapters.orm import identities, identity_search_keys
from identito.adapters.unit_of_work import sql_uow_factory
from identito.domain.identity import Identity
from identito.domain.permissions import Actor, Role, role_permissions
from identito.services.anteriority import anteriority_query, find_anteriority
from identito.services.identities import update_identity
from identito.services.merges import merge_identities
from identito.services.rules import Rules
from identito.services.unit_of_work import UnitOfWork


def _store(uow_factory: Callable[[], UnitOfWork], admin: Actor, *people: Identity) -> None:
    with uow_factory() as uow:
        for identity in people:
            uow.identities.add(identity)
        uow.commit(admin, people[0].created_at)


def _people(make_identity: Callable[..., Identity]) -> dict[str, Identity]:
    return {
        nick: make_identity(**{"birth_date": BORN, **fields}) for nick, fields in PEOPLE.items()
    }


def _find(uow_factory: Any, admin: Actor, rules: Rules, **fields: Any) -> list[Any]:
    return find_anteriority(
        anteriority_query(**fields), uow=uow_factory(), actor=admin, rules=rules
    )


@pytest.mark.parametrize(("case", "fields", "expected"), CASES, ids=CASE_IDS)
def test_every_example_of_the_issue_finds_the_person_in_the_database(
    uow_factory, make_identity, admin, rules, case, fields, expected
):
    people = _people(make_identity)
    _store(uow_factory, admin, *people.values())
    found = _find(uow_factory, admin, rules, **fields)
    assert [m.identity.id for m in found] == [people[expected].id]


def test_a_merged_identity_found_by_its_old_name_leads_to_its_survivor(
    uow_factory, make_identity, admin, vigilance, rules
):
    survivor = make_identity(birth_name="LEFEVRE", birth_date=BORN)
    merged = make_identity(birth_name="LEFEBVRE", birth_date=BORN)
    _store(uow_factory, admin, survivor, merged)
    merge_identities(survivor.id, merged.id, uow=uow_factory(), actor=vigilance, rules=rules)
    found = _find(uow_factory, admin, rules, birth_date=BORN, name="lefebvre")
    assert [(m.identity.id, m.merged.id if m.merged else None) for m in found] == [
        (survivor.id, merged.id)
    ]


def test_a_trait_change_rewrites_the_search_keys(uow_factory, make_identity, admin, rules):
    identity = make_identity(birth_name="MARTIN", used_name="DURAND", birth_date=BORN)
    _store(uow_factory, admin, identity)
    update_identity(
        identity.id, 1, {"used_name": "LE BLANC"}, uow=uow_factory(), actor=admin, rules=rules
    )
    assert _find(uow_factory, admin, rules, birth_date=BORN, name="durand") == []
    found = _find(uow_factory, admin, rules, birth_date=BORN, name="blanc")
    assert [m.identity.id for m in found] == [identity.id]


def test_ranking_puts_the_exact_date_and_name_first(uow_factory, make_identity, admin, rules):
    exact = make_identity(birth_name="ROUX", birth_date=BORN)
    word = make_identity(birth_name="LE ROUX", birth_date=BORN)
    next_day = make_identity(birth_name="ROUX", birth_date="1980-03-13")
    sound = make_identity(birth_name="ROUS", birth_date=BORN)
    _store(uow_factory, admin, sound, next_day, word, exact)
    found = _find(uow_factory, admin, rules, birth_date=BORN, name="roux")
    assert [m.identity.id for m in found] == [exact.id, word.id, sound.id, next_day.id]


def test_the_migration_backfills_the_keys_of_existing_identities(fresh_url, make_identity, rules):
    upgrade(fresh_url, "0025")  # the revision before the search keys (0026)
    identity = make_identity(birth_name="D'AUGER", birth_date=BORN)

    def insert_as_then(connection: Connection) -> None:  # the columns that revision had
        known = {column["name"] for column in inspect(connection).get_columns("identities")}
        row = {k: v for k, v in identity_row(identity).items() if k in known}
        connection.execute(insert(identities), [row])

    with_engine(fresh_url, insert_as_then)
    upgrade(fresh_url, "head")
    keys = with_engine(
        fresh_url,
        lambda c: set(c.execute(select(identity_search_keys.c.kind, identity_search_keys.c.value))),
    )
    assert ("N", "AUGER") in keys and ("N", "DAUGER") in keys
    admin = Actor("admin", Role.ADMIN, role_permissions(Role.ADMIN))
    found = _find(lambda: sql_uow_factory(fresh_url)(), admin, rules, birth_date=BORN, name="auger")
    assert [m.identity.id for m in found] == [identity.id]
