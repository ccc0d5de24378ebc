"""The counts of the web menu: ``pending_count`` (pairs awaiting a decision) and
``collision_count`` (identities in collision)."""

from __future__ import annotations

import pytest

from fakes import FakeUnitOfWork, actor_with_role, fake_rules, make_identity
from identito.domain.duplicates import ScoredPair
from identito.domain.errors import PermissionDenied
from identito.domain.permissions import Role
from identito.services.collisions import collision_count, declare_collision
from identito.services.duplicate_decisions import decide, pending_count
from identito.services.duplicate_reviews import record_pairs
from identito.services.duplicates import score

VIGILANCE = actor_with_role(Role.IDENTITY_VIGILANCE)


def _scored(a, b) -> ScoredPair:
    first, second = sorted((a, b), key=lambda i: i.id)
    result = score(first, second)
    return ScoredPair(first.id, second.id, result.score, result.blocking, result.explanation)


def test_the_pending_count_leaves_out_decided_pairs_and_writes_no_audit_row():
    a, b, c = make_identity(), make_identity(birth_name="DUPOND"), make_identity()
    uow, rules = FakeUnitOfWork(), fake_rules()
    for identity in (a, b, c):
        uow.identities.committed[identity.id] = identity
    record_pairs([_scored(a, b), _scored(a, c)], uow=uow, actor=VIGILANCE, rules=rules)
    first = next(iter(uow.duplicate_reviews.committed.values()))
    assert pending_count(uow=uow, actor=VIGILANCE) == 2
    decide(first.id, "not_duplicate", uow=uow, actor=VIGILANCE, rules=rules)
    audit_rows = len(uow.audit.entries)

    assert pending_count(uow=uow, actor=VIGILANCE) == 1
    assert len(uow.audit.entries) == audit_rows


@pytest.mark.parametrize("role", [Role.ADMISSION, Role.CARE, Role.STATISTICS])
def test_only_reviewers_may_count_the_pending_pairs(role):
    with pytest.raises(PermissionDenied):
        pending_count(uow=FakeUnitOfWork(), actor=actor_with_role(role))


def test_the_collision_count_counts_active_identities_in_collision_without_audit():
    a, b, c = make_identity(), make_identity(birth_name="DUPOND"), make_identity()
    uow, rules = FakeUnitOfWork(), fake_rules()
    for identity in (a, b, c):
        uow.identities.committed[identity.id] = identity
    assert collision_count(uow=uow, actor=VIGILANCE) == 0
    declare_collision(a.id, uow=uow, actor=VIGILANCE, rules=rules)
    declare_collision(b.id, confirmed=True, uow=uow, actor=VIGILANCE, rules=rules)
    audit_rows = len(uow.audit.entries)

    assert collision_count(uow=uow, actor=VIGILANCE) == 2
    assert len(uow.audit.entries) == audit_rows


@pytest.mark.parametrize("role", [Role.ADMISSION, Role.CARE, Role.STATISTICS])
def test_only_reviewers_may_count_the_collisions(role):
    with pytest.raises(PermissionDenied):
        collision_count(uow=FakeUnitOfWork(), actor=actor_with_role(role))
