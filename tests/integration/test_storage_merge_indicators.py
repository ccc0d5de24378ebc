"""Steering indicators and merges on SQLite and PostgreSQL: the counters stored by the
unit of work drop the merged identity (status and attributes) and count it again after
an unmerge."""

from __future__ import annotations

from identito.domain.permissions import Actor, Role, role_permissions
from identito.services.identities import change_attributes, create_identity
from identito.services.indicators import read_indicators
from identito.services.merges import merge_identities, unmerge

STATISTICS = Actor("stats", Role.STATISTICS, role_permissions(Role.STATISTICS))
TRAITS = {
    "birth_name": "DUPONT",
    "first_birth_first_name": "JEAN",
    "birth_first_names": "JEAN PIERRE",
    "birth_date": "1980-03-01",
    "sex": "M",
    "birth_place_code": "75116",
}


def _counts(uow_factory, rules) -> tuple[int, int, int]:
    current = read_indicators(uow=uow_factory(), actor=STATISTICS, rules=rules).current
    statuses = {s.code: s.count for s in current.statuses}
    attributes = {s.code: s.count for s in current.attributes}
    return current.total, statuses["PROV"], attributes["HOMA"]


def test_a_merge_takes_one_identity_off_the_indicators_and_an_unmerge_puts_it_back(
    uow_factory, rules, vigilance
):
    survivor, merged, _other = (
        create_identity(
            {**TRAITS, "birth_name": name}, uow=uow_factory(), actor=vigilance, rules=rules
        )
        for name in ("DUPONT", "DUPOND", "MARTIN")
    )
    change_attributes(merged.id, add=["HOMA"], uow=uow_factory(), actor=vigilance, rules=rules)
    assert _counts(uow_factory, rules) == (3, 3, 1)

    record = merge_identities(survivor.id, merged.id, uow=uow_factory(), actor=vigilance,
                              rules=rules)  # fmt: skip
    assert _counts(uow_factory, rules) == (2, 2, 0)

    unmerge(record.id, uow=uow_factory(), actor=vigilance, rules=rules)
    assert _counts(uow_factory, rules) == (3, 3, 1)
