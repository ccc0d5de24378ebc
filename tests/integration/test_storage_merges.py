"""Merge records and inactive identities, on SQLite and PostgreSQL."""

from __future__ import annotations

from identito.domain.identifiers import Ins, Oid
from identito.domain.status import CollisionLevel
from identito.services.duplicates import find_duplicates
from identito.services.identities import search_identities
from identito.services.merges import merge_identities, unmerge

INS = Ins.parse("180037505612310", Oid.NIR.value)


def _store(uow_factory, admin, rules, *identities):
    with uow_factory() as uow:
        for identity in identities:
            uow.identities.add(identity)
        uow.commit(admin, rules.now())


def test_a_merge_round_trip_is_stored_and_loses_nothing(
    uow_factory, make_identity, admin, rules, vigilance
):
    survivor, merged = make_identity(), make_identity(used_name="MARTIN")
    for identity in (survivor, merged):  # two holders: only in collision (R-DU-03)
        identity.record_ins_retrieval(INS, now=rules.now())
        identity.declare_collision(CollisionLevel.POTENTIAL, now=rules.now())
    _store(uow_factory, admin, rules, survivor, merged)
    with uow_factory() as uow:
        before = uow.identities.get(merged.id)

    record = merge_identities(survivor.id, merged.id, uow=uow_factory(), actor=vigilance,
                              rules=rules)  # fmt: skip
    with uow_factory() as uow:
        stored = uow.merges.get(record.id)
        inactive = uow.identities.get(merged.id)
    assert stored == record
    assert (inactive.active, inactive.merged_into) == (False, survivor.id)

    unmerge(record.id, uow=uow_factory(), actor=vigilance, rules=rules)
    with uow_factory() as uow:
        restored = uow.identities.get(merged.id)
        closed = uow.merges.get(record.id)
        actions = [e.action for e in uow.audit.for_identity(merged.id)]
    assert restored.snapshot() == before.snapshot() == record.snapshot
    assert (restored.active, restored.merged_into) == (True, None)
    assert restored.ins_history == before.ins_history
    assert closed.undone_by == vigilance.username and closed.undone_at is not None
    assert actions[-2:] == ["identity.merged", "identity.unmerged"]


def test_an_inactive_identity_is_left_out_of_search_and_candidates(
    uow_factory, make_identity, admin, rules, vigilance
):
    local, survivor, merged = make_identity(), make_identity(), make_identity()
    _store(uow_factory, admin, rules, local, survivor, merged)
    merge_identities(survivor.id, merged.id, uow=uow_factory(), actor=vigilance, rules=rules)

    found = search_identities(birth_date="1980-03-01", uow=uow_factory(), actor=vigilance,
                              rules=rules)  # fmt: skip
    duplicates = find_duplicates(local.id, uow=uow_factory(), actor=vigilance, rules=rules)

    assert {i.id for i in found} == {local.id, survivor.id}
    assert {d.identity.id for d in duplicates} == {survivor.id}
