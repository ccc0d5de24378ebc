"""``check_decision``: the refusals of ``decide``, raised before the confirmation, with
nothing saved, audited or changed."""

from __future__ import annotations

import pytest

from fakes import FakeUnitOfWork, actor_with_role, fake_rules, make_identity
from identito.domain.duplicate_reviews import ReviewStatus
from identito.domain.duplicates import ScoredPair
from identito.domain.errors import InvalidInput, InvalidTransition, PermissionDenied
from identito.domain.permissions import Role
from identito.domain.status import IdentityAttribute
from identito.services.duplicate_decisions import check_decision, decide
from identito.services.duplicate_reviews import record_pairs
from identito.services.duplicates import score
from identito.services.merges import merge_identities

VIGILANCE = actor_with_role(Role.IDENTITY_VIGILANCE)


def _pending_pair(first=None):
    a, b = first or make_identity(), make_identity(birth_name="DUPOND")
    uow, rules = FakeUnitOfWork(), fake_rules()
    for identity in (a, b):
        uow.identities.committed[identity.id] = identity
    ordered = sorted((a, b), key=lambda i: i.id)
    found = score(*ordered)
    pair = ScoredPair(ordered[0].id, ordered[1].id, found.score, found.blocking, found.explanation)
    record_pairs([pair], uow=uow, actor=VIGILANCE, rules=rules)
    [review] = uow.duplicate_reviews.committed.values()
    return uow, rules, a, b, review


def _fictitious():
    identity = make_identity()
    identity.change_attributes([IdentityAttribute.FICTITIOUS], [], now=fake_rules().now())
    identity.pop_events()
    return identity


def test_an_accepted_decision_is_checked_without_saving_or_auditing_anything():
    uow, rules, a, b, review = _pending_pair()
    audit_rows = len(uow.audit.entries)

    for decision in ("duplicate", "not_duplicate", "homonym", "collision"):
        check_decision(review.id, decision, uow=uow, actor=VIGILANCE, rules=rules)

    assert uow.duplicate_reviews.committed[review.id].status is ReviewStatus.PENDING
    for identity in (a, b):
        stored = uow.identities.committed[identity.id]
        assert stored.attributes == frozenset() and stored.collision is None
    assert len(uow.audit.entries) == audit_rows


def test_homonyms_with_a_fictitious_identity_are_refused_by_the_check_as_by_the_decision():
    uow, rules, _a, _b, review = _pending_pair(_fictitious())

    with pytest.raises(InvalidTransition) as checked:
        check_decision(review.id, "homonym", uow=uow, actor=VIGILANCE, rules=rules)
    with pytest.raises(InvalidTransition) as decided:
        decide(review.id, "homonym", uow=uow, actor=VIGILANCE, rules=rules)

    assert checked.value.message == decided.value.message
    assert checked.value.rule == "attribute_combination"


def test_the_check_refuses_a_closed_pair_a_merged_identity_and_an_identity_outside_the_pair():
    uow, rules, a, b, review = _pending_pair()
    outsider = make_identity(birth_name="AUTRE")

    with pytest.raises(InvalidInput):
        check_decision(review.id, "collision", collision_identity_id=outsider.id, uow=uow,
                       actor=VIGILANCE, rules=rules)  # fmt: skip
    with pytest.raises(InvalidInput):
        check_decision(review.id, "peut-etre", uow=uow, actor=VIGILANCE, rules=rules)
    merge_identities(a.id, b.id, uow=uow, actor=VIGILANCE, rules=rules)
    with pytest.raises(InvalidTransition, match="fusionnée"):
        check_decision(review.id, "not_duplicate", uow=uow, actor=VIGILANCE, rules=rules)


@pytest.mark.parametrize("role", [Role.ADMISSION, Role.CARE, Role.STATISTICS])
def test_only_reviewers_may_check_a_decision(role):
    uow, rules, _a, _b, review = _pending_pair()

    with pytest.raises(PermissionDenied):
        check_decision(review.id, "duplicate", uow=uow, actor=actor_with_role(role), rules=rules)
