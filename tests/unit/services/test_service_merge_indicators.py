"""Steering indicators and merges (fakes): a merged identity is no longer counted, in
its status nor its attributes; an unmerge counts it again."""

from __future__ import annotations

from fakes import FakeUnitOfWork, actor_with_role, identity_input
from identito.domain.permissions import Role
from identito.services.identities import change_attributes, create_identity
from identito.services.indicators import Snapshot, read_indicators
from identito.services.merges import merge_identities, unmerge
from identito.services.rules import Rules

ADMISSION = actor_with_role(Role.ADMISSION)
VIGILANCE = actor_with_role(Role.IDENTITY_VIGILANCE)
STATISTICS = actor_with_role(Role.STATISTICS)


def _now(uow: FakeUnitOfWork, rules: Rules) -> Snapshot:
    return read_indicators(uow=uow, actor=STATISTICS, rules=rules).current


def _counts(snapshot: Snapshot) -> tuple[int, int, int]:
    statuses = {s.code: s.count for s in snapshot.statuses}
    attributes = {s.code: s.count for s in snapshot.attributes}
    return snapshot.total, statuses["PROV"], attributes["HOMA"]


def test_a_merge_removes_the_merged_identity_from_the_indicators_and_an_unmerge_restores_it(
    uow: FakeUnitOfWork, rules: Rules
) -> None:
    survivor, merged, _other = (
        create_identity(identity_input(birth_name=name), uow=uow, actor=ADMISSION, rules=rules)
        for name in ("DUPONT", "DUPOND", "MARTIN")
    )
    change_attributes(merged.id, add=["HOMA"], uow=uow, actor=VIGILANCE, rules=rules)
    assert _counts(_now(uow, rules)) == (3, 3, 1)

    record = merge_identities(survivor.id, merged.id, uow=uow, actor=VIGILANCE, rules=rules)
    assert _counts(_now(uow, rules)) == (2, 2, 0)

    unmerge(record.id, uow=uow, actor=VIGILANCE, rules=rules)
    assert _counts(_now(uow, rules)) == (3, 3, 1)
