"""The review worklist on the fakes: recording pairs, decisions, permissions, merge."""

from __future__ import annotations

import pytest

from fakes import (
    INS_A,
    FakeUnitOfWork,
    actor_with_role,
    fake_rules,
    identity_input,
    in_collision,
    make_identity,
)
from identito.domain.duplicate_reviews import ReviewStatus, Source
from identito.domain.duplicates import ScoredPair
from identito.domain.errors import InvalidInput, InvalidTransition, PermissionDenied
from identito.domain.events import AuditAction
from identito.domain.permissions import Permission, Role
from identito.domain.status import CollisionLevel, IdentityAttribute, IdentityStatus
from identito.services.duplicate_decisions import decide, list_reviews, review_detail
from identito.services.duplicate_reviews import record_pairs
from identito.services.duplicates import score
from identito.services.identities import create_identity, update_identity
from identito.services.merges import merge_identities

VIGILANCE = actor_with_role(Role.IDENTITY_VIGILANCE)
ADMISSION = actor_with_role(Role.ADMISSION)


def scored(a, b) -> ScoredPair:
    first, second = sorted((a, b), key=lambda i: i.id)
    result = score(first, second)
    return ScoredPair(first.id, second.id, result.score, result.blocking, result.explanation)


def _stored(*identities) -> FakeUnitOfWork:
    uow = FakeUnitOfWork()
    for identity in identities:
        uow.identities.committed[identity.id] = identity
    return uow


def _pending_pair(**other_traits):
    a, b = make_identity(), make_identity(**{"birth_name": "DUPOND", **other_traits})
    uow, rules = _stored(a, b), fake_rules()
    record_pairs([scored(a, b)], uow=uow, actor=VIGILANCE, rules=rules)
    [review] = uow.duplicate_reviews.committed.values()
    return uow, rules, a, b, review


def test_only_identity_vigilance_and_admin_may_review_duplicates():
    holders = {r for r in Role if actor_with_role(r).can(Permission.DUPLICATES_REVIEW)}

    assert holders == {Role.ADMIN, Role.IDENTITY_VIGILANCE}


@pytest.mark.parametrize("role", [Role.ADMISSION, Role.CARE, Role.STATISTICS])
def test_other_roles_may_neither_list_nor_decide_nor_record(role):
    uow, rules, _a, _b, review = _pending_pair()
    actor = actor_with_role(role)

    with pytest.raises(PermissionDenied):
        list_reviews(uow=uow, actor=actor, rules=rules)
    with pytest.raises(PermissionDenied):
        decide(review.id, "duplicate", uow=uow, actor=actor, rules=rules)
    with pytest.raises(PermissionDenied):
        record_pairs([], uow=uow, actor=actor, rules=rules)


def test_recorded_pairs_become_pending_reviews_and_the_scan_is_audited():
    uow, _, a, b, review = _pending_pair()

    assert review.status is ReviewStatus.PENDING and review.score > 0.9
    assert (review.first_id, review.second_id) == tuple(sorted((a.id, b.id)))
    [entry] = [e for e in uow.audit.entries if e.action == AuditAction.DUPLICATES_SCANNED.value]
    assert entry.details["new"] == 1 and entry.details["found"] == 1


def test_a_second_scan_refreshes_pending_pairs_and_counts_decided_ones():
    uow, rules, a, b, review = _pending_pair()
    c, d = make_identity(birth_name="MARTIN"), make_identity(birth_name="MARTINE")
    uow.identities.committed.update({c.id: c, d.id: d})
    decide(review.id, "not_duplicate", uow=uow, actor=VIGILANCE, rules=rules)

    summary = record_pairs([scored(a, b), scored(c, d), scored(c, d)], uow=uow, actor=VIGILANCE,
                           rules=rules)  # fmt: skip

    assert (summary.found, summary.new, summary.already_decided) == (2, 1, 1)
    assert len(uow.duplicate_reviews.committed) == 2


def test_a_not_duplicate_decision_is_remembered_until_a_trait_of_either_identity_changes():
    uow, rules, a, b, review = _pending_pair()
    decide(review.id, "not_duplicate", note="deux frères", uow=uow, actor=VIGILANCE, rules=rules)

    again = record_pairs([scored(a, b)], uow=uow, actor=VIGILANCE, rules=rules)
    assert again.already_decided == 1
    assert uow.duplicate_reviews.committed[review.id].status is ReviewStatus.NOT_DUPLICATE

    changed = update_identity(b.id, b.version, {"used_name": "MARTIN"}, uow=uow, actor=VIGILANCE,
                              rules=rules)  # fmt: skip

    stored = uow.duplicate_reviews.committed[review.id]
    assert stored.status is ReviewStatus.PENDING and stored.source is Source.SCAN
    assert changed.traits.used_name == "MARTIN"


def test_a_duplicate_decision_is_ready_to_merge_and_the_merge_closes_the_review():
    uow, rules, a, b, review = _pending_pair()

    decided = decide(review.id, "duplicate", note="même patient", uow=uow, actor=VIGILANCE,
                     rules=rules)  # fmt: skip
    assert decided.review.status is ReviewStatus.DUPLICATE
    merge_identities(a.id, b.id, uow=uow, actor=VIGILANCE, rules=rules)

    closed = uow.duplicate_reviews.committed[review.id]
    assert closed.status is ReviewStatus.MERGED and closed.decided_by == VIGILANCE.username


def test_a_merge_closes_every_open_review_of_the_merged_identity_but_not_decided_ones():
    a, b, c = make_identity(), make_identity(birth_name="DUPOND"), make_identity(used_name="X")
    uow, rules = _stored(a, b, c), fake_rules()
    record_pairs([scored(a, b), scored(b, c), scored(a, c)], uow=uow, actor=VIGILANCE,
                 rules=rules)  # fmt: skip
    by_pair = {frozenset((r.first_id, r.second_id)): r for r in
               uow.duplicate_reviews.committed.values()}  # fmt: skip
    decide(by_pair[frozenset((a.id, c.id))].id, "not_duplicate", uow=uow, actor=VIGILANCE,
           rules=rules)  # fmt: skip

    merge_identities(a.id, b.id, uow=uow, actor=VIGILANCE, rules=rules)

    statuses = {k: uow.duplicate_reviews.committed[r.id].status for k, r in by_pair.items()}
    assert statuses == {
        frozenset((a.id, b.id)): ReviewStatus.MERGED,
        frozenset((b.id, c.id)): ReviewStatus.MERGED,
        frozenset((a.id, c.id)): ReviewStatus.NOT_DUPLICATE,
    }


def test_a_homonym_decision_gives_both_identities_homa_audited():
    uow, rules, a, b, review = _pending_pair(birth_name="DUPONT", birth_place_code="75056")

    decide(review.id, "homonym", note="homonymes", uow=uow, actor=VIGILANCE, rules=rules)

    for identity in (a, b):
        assert uow.stored(identity.id).attributes == {IdentityAttribute.HOMONYM}
        actions = uow.audit.actions(identity.id)
        assert AuditAction.ATTRIBUTES_CHANGED.value in actions
        assert AuditAction.DUPLICATE_DECIDED.value in actions
    assert uow.duplicate_reviews.committed[review.id].status is ReviewStatus.HOMONYM


def test_a_collision_decision_marks_the_named_identity_and_withholds_nothing_else():
    uow, rules, a, b, review = _pending_pair()

    decide(review.id, "collision", confirmed=True, collision_identity_id=b.id, uow=uow,
           actor=VIGILANCE, rules=rules)  # fmt: skip

    assert uow.stored(b.id).collision is CollisionLevel.CONFIRMED
    assert uow.stored(a.id).collision is None
    assert AuditAction.COLLISION_DECLARED.value in uow.audit.actions(b.id)


def test_a_collision_decision_without_identity_marks_both_as_potential():
    uow, rules, a, b, review = _pending_pair()

    decide(review.id, "collision", uow=uow, actor=VIGILANCE, rules=rules)

    assert {uow.stored(i.id).collision for i in (a, b)} == {CollisionLevel.POTENTIAL}


def test_a_collision_on_an_identity_outside_the_pair_is_refused_on_its_field():
    uow, rules, _a, _b, review = _pending_pair()

    with pytest.raises(InvalidInput) as raised:
        decide(review.id, "collision", collision_identity_id=make_identity().id, uow=uow,
               actor=VIGILANCE, rules=rules)  # fmt: skip

    assert [(e.field, e.rule) for e in raised.value.errors] == [("identity_id", "not_in_pair")]
    assert uow.duplicate_reviews.committed[review.id].status is ReviewStatus.PENDING


def test_every_decision_is_audited_on_both_identities_with_who_when_and_note():
    uow, rules, a, b, review = _pending_pair()

    decide(review.id, "not_duplicate", note="  jumeaux  ", uow=uow, actor=VIGILANCE, rules=rules)

    rows = [e for e in uow.audit.entries if e.action == AuditAction.DUPLICATE_DECIDED.value]
    assert {e.identity_id for e in rows} == {a.id, b.id}
    assert {(e.actor, e.reason, e.details["decision"]) for e in rows} == {
        (VIGILANCE.username, "jumeaux", "not_duplicate")
    }
    assert all(e.at == rules.now() for e in rows)


def test_a_decision_on_a_pair_with_a_merged_identity_is_refused():
    uow, rules, _a, b, review = _pending_pair()
    survivor = make_identity()
    uow.identities.committed[survivor.id] = survivor
    merge_identities(survivor.id, b.id, uow=uow, actor=VIGILANCE, rules=rules)
    uow.duplicate_reviews.committed[review.id] = review  # as if it had stayed open

    with pytest.raises(InvalidTransition, match="fusionnée") as raised:
        decide(review.id, "homonym", uow=uow, actor=VIGILANCE, rules=rules)
    assert raised.value.rule == "review_identity_inactive"


def test_a_creation_puts_its_pairs_above_the_threshold_in_the_worklist():
    existing = make_identity()
    uow, rules = _stored(existing), fake_rules()

    created = create_identity(identity_input(birth_name="DUPOND"), uow=uow, actor=ADMISSION,
                              rules=rules)  # fmt: skip

    [review] = uow.duplicate_reviews.committed.values()
    assert {review.first_id, review.second_id} == {existing.id, created.id}
    assert review.source is Source.CREATION


def test_a_creation_below_the_threshold_records_nothing_but_a_blocking_pair_always_goes():
    existing = in_collision(make_identity(IdentityStatus.RETRIEVED, ins=INS_A, birth_name="ZORRO",
                                          birth_date="1990-07-01"))  # fmt: skip
    uow, rules = _stored(existing), fake_rules()
    uow.preferences.values["duplicate_review_threshold"] = 1.0

    create_identity(identity_input(birth_name="DUPOND"), uow=uow, actor=ADMISSION, rules=rules)
    assert uow.duplicate_reviews.committed == {}

    other = in_collision(make_identity(IdentityStatus.RETRIEVED, ins=INS_A, birth_name="DURAND"))
    uow.identities.committed[other.id] = other  # both in collision: they may share it (0011)
    update_identity(other.id, other.version, {"used_name": "DURANT"}, uow=uow, actor=VIGILANCE,
                    rules=rules)  # fmt: skip
    [review] = uow.duplicate_reviews.committed.values()
    assert review.blocking and review.source is Source.CHANGE


def test_the_worklist_filters_by_status_pages_and_shows_both_identities():
    uow, rules, _a, _b, review = _pending_pair()
    c, d = make_identity(birth_name="MARTIN"), make_identity(birth_name="MARTINE")
    uow.identities.committed.update({c.id: c, d.id: d})
    record_pairs([scored(c, d)], uow=uow, actor=VIGILANCE, rules=rules)
    decide(review.id, "duplicate", uow=uow, actor=VIGILANCE, rules=rules)

    pending = list_reviews(uow=uow, actor=VIGILANCE, rules=rules)
    everything = list_reviews(status="all", per_page=1, page=2, uow=uow, actor=VIGILANCE,
                              rules=rules)  # fmt: skip

    assert [e.review.status for e in pending.items] == [ReviewStatus.PENDING]
    assert {pending.items[0].first.id, pending.items[0].second.id} == {c.id, d.id}
    assert (everything.total, len(everything.items), everything.page) == (2, 1, 2)
    with pytest.raises(InvalidInput):
        list_reviews(status="ouvert", uow=uow, actor=VIGILANCE, rules=rules)


def test_the_detail_shows_the_differences_of_the_two_identities():
    uow, rules, _a, _b, review = _pending_pair()

    entry = review_detail(review.id, uow=uow, actor=VIGILANCE, rules=rules)

    assert entry.differences == ("birth_name",)
    assert entry.review.explanation == review.explanation
