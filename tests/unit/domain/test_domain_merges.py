"""Merge and unmerge on the aggregate: refusals, survivor choice, exact round trip."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest

from fakes import INS_A, INS_B, NOW, make_identity
from identito.domain.errors import InvalidTransition
from identito.domain.events import AuditAction
from identito.domain.merges import default_survivor, merge, unmerge
from identito.domain.status import IdentityStatus

LATER = NOW + timedelta(days=1)


def test_a_merged_identity_becomes_inactive_and_names_its_survivor():
    survivor, merged = make_identity(IdentityStatus.QUALIFIED), make_identity()

    record = merge(survivor, merged, actor="iv", now=NOW)

    assert (merged.active, merged.merged_into) == (False, survivor.id)
    assert survivor.active and survivor.merged_into is None
    assert record.snapshot["status"] == "PROV" and record.merged_id == merged.id
    [event] = merged.pop_events()
    assert event.action is AuditAction.IDENTITY_MERGED
    assert event.details["survivor_id"] == str(survivor.id)
    assert event.details["annotation"] == "DESA"
    assert [e.action for e in survivor.pop_events()] == [AuditAction.IDENTITY_MERGED]


def test_merging_two_identities_with_different_matricules_is_refused():
    survivor = make_identity(IdentityStatus.RETRIEVED, ins=INS_A)
    merged = make_identity(IdentityStatus.RETRIEVED, ins=INS_B)

    with pytest.raises(InvalidTransition, match="matricules INS différents"):
        merge(survivor, merged, actor="iv", now=NOW)
    assert merged.active


def test_merging_the_only_identity_with_a_matricule_into_one_without_is_refused():
    with pytest.raises(InvalidTransition) as caught:
        merge(make_identity(), make_identity(IdentityStatus.QUALIFIED), actor="iv", now=NOW)
    assert caught.value.rule == "merge_survivor_without_ins"


def test_two_identities_with_the_same_matricule_may_be_merged():
    survivor = make_identity(IdentityStatus.QUALIFIED, ins=INS_A)
    merged = make_identity(IdentityStatus.RETRIEVED, ins=INS_A)

    merge(survivor, merged, actor="iv", now=NOW)

    assert not merged.active


def test_an_identity_cannot_be_merged_with_itself_nor_twice():
    survivor, merged = make_identity(), make_identity()
    with pytest.raises(InvalidTransition):
        merge(survivor, survivor, actor="iv", now=NOW)
    merge(survivor, merged, actor="iv", now=NOW)
    with pytest.raises(InvalidTransition):
        merge(make_identity(), merged, actor="iv", now=NOW)


@pytest.mark.parametrize(
    ("a", "b", "kept"),
    [
        (IdentityStatus.PROVISIONAL, IdentityStatus.QUALIFIED, "b"),
        (IdentityStatus.QUALIFIED, IdentityStatus.VALIDATED, "a"),
        (IdentityStatus.PROVISIONAL, IdentityStatus.RETRIEVED, "b"),
        (IdentityStatus.VALIDATED, IdentityStatus.PROVISIONAL, "a"),
        (IdentityStatus.RETRIEVED, IdentityStatus.VALIDATED, "a"),  # a tie keeps the first
    ],
)
def test_the_default_survivor_has_the_best_status(a, b, kept):
    first, second = make_identity(a), make_identity(b)

    assert default_survivor(first, second) is {"a": first, "b": second}[kept]


def test_a_merge_and_unmerge_round_trip_loses_nothing():
    survivor = make_identity(IdentityStatus.QUALIFIED, ins=INS_A)
    merged = make_identity(IdentityStatus.QUALIFIED, ins=INS_A, used_name="MARTIN")
    original, survivor_before = copy.deepcopy(merged), copy.deepcopy(survivor)

    record = merge(survivor, merged, actor="iv", now=NOW)
    undone = unmerge(record, survivor, merged, actor="iv", now=LATER)

    assert merged.snapshot() == original.snapshot() == record.snapshot
    assert (merged.active, merged.merged_into) == (True, None)
    for name in ("traits", "warnings", "status", "attributes", "ins", "ins_history", "validation"):
        assert getattr(merged, name) == getattr(original, name), name
    assert survivor.snapshot() == survivor_before.snapshot()
    assert (undone.undone_at, undone.undone_by) == (LATER, "iv")
    assert [e.action for e in merged.pop_events()] == [
        AuditAction.IDENTITY_MERGED,
        AuditAction.IDENTITY_UNMERGED,
    ]


def test_a_merge_cannot_be_undone_twice():
    survivor, merged = make_identity(), make_identity()
    undone = unmerge(merge(survivor, merged, actor="iv", now=NOW), survivor, merged,
                     actor="iv", now=LATER)  # fmt: skip

    with pytest.raises(InvalidTransition, match="déjà été annulée"):
        unmerge(undone, survivor, merged, actor="iv", now=LATER)
