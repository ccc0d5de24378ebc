"""``merges_of`` and ``get_merge``: the merges of an identity, read for its sheet."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from fakes import FakeUnitOfWork, FixedClock, actor_with_role, fake_rules, make_identity
from identito.domain.errors import NotFound, PermissionDenied
from identito.domain.events import AuditAction
from identito.domain.permissions import Role
from identito.domain.status import IdentityStatus
from identito.services.merges import get_merge, merge_identities, merges_of, unmerge

VIGILANCE = actor_with_role(Role.IDENTITY_VIGILANCE)
CARE = actor_with_role(Role.CARE)


def _stored(*identities):
    uow = FakeUnitOfWork()
    for identity in identities:
        uow.identities.committed[identity.id] = identity
    return uow


def _merged_twice():
    """A survivor with two identities merged into it, in turn."""
    survivor, first, second = make_identity(), make_identity(), make_identity()
    clock = FixedClock()
    uow, rules = _stored(survivor, first, second), fake_rules(clock=clock)
    one = merge_identities(survivor.id, first.id, uow=uow, actor=VIGILANCE, rules=rules)
    clock.advance(timedelta(minutes=1))
    two = merge_identities(survivor.id, second.id, uow=uow, actor=VIGILANCE, rules=rules)
    return uow, rules, survivor, (one, two)


def test_a_survivor_lists_the_merges_into_it_oldest_first_with_the_merged_identities():
    uow, rules, survivor, (one, two) = _merged_twice()

    found = merges_of(survivor.id, uow=uow, actor=CARE, rules=rules)

    assert found.into is None
    assert [link.merge.id for link in found.merged] == [one.id, two.id]
    assert [link.identity.id for link in found.merged] == [one.merged_id, two.merged_id]
    assert not any(link.identity.active for link in found.merged)


def test_a_merged_identity_names_the_merge_that_made_it_inactive_and_its_survivor():
    uow, rules, survivor, (one, _) = _merged_twice()

    found = merges_of(one.merged_id, uow=uow, actor=CARE, rules=rules)

    assert found.into is not None and found.merged == []
    assert (found.into.merge.id, found.into.identity.id) == (one.id, survivor.id)


def test_an_undone_merge_is_no_longer_listed_on_either_identity():
    uow, rules, survivor, (one, two) = _merged_twice()

    unmerge(one.id, uow=uow, actor=VIGILANCE, rules=rules)

    assert merges_of(one.merged_id, uow=uow, actor=CARE, rules=rules).into is None
    listed = merges_of(survivor.id, uow=uow, actor=CARE, rules=rules).merged
    assert [link.merge.id for link in listed] == [two.id]


def test_an_identity_never_merged_has_no_merge():
    identity = make_identity()
    uow = _stored(identity)

    found = merges_of(identity.id, uow=uow, actor=CARE, rules=fake_rules())

    assert (found.into, found.merged) == (None, [])


def test_the_returned_identities_carrying_a_matricule_are_audited_as_reads():
    survivor = make_identity(IdentityStatus.QUALIFIED)
    merged = make_identity()
    uow, rules = _stored(survivor, merged), fake_rules()
    merge_identities(survivor.id, merged.id, uow=uow, actor=VIGILANCE, rules=rules)
    before = uow.audit.actions(survivor.id)

    merges_of(merged.id, uow=uow, actor=CARE, rules=rules)

    assert uow.audit.actions(survivor.id) == [*before, AuditAction.IDENTITY_READ.value]


def test_reading_merges_needs_the_identity_read_permission():
    uow, rules, survivor, (one, _) = _merged_twice()
    actor = actor_with_role(Role.STATISTICS)

    with pytest.raises(PermissionDenied):
        merges_of(survivor.id, uow=uow, actor=actor, rules=rules)
    with pytest.raises(PermissionDenied):
        get_merge(one.id, uow=uow, actor=actor)


def test_get_merge_returns_a_merge_done_or_undone_and_refuses_an_unknown_one():
    uow, rules, _, (one, _) = _merged_twice()
    undone = unmerge(one.id, uow=uow, actor=VIGILANCE, rules=rules)

    assert get_merge(one.id, uow=uow, actor=CARE) == undone
    with pytest.raises(NotFound):
        get_merge(uuid4(), uow=uow, actor=CARE)
