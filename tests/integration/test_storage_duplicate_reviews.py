"""The duplicate review worklist and collisions, on SQLite and PostgreSQL."""

from __future__ import annotations

from uuid import uuid4

import pytest
from sqlalchemy import select

from identito.adapters.orm import audit_log
from identito.domain.duplicate_reviews import ReviewStatus, Source
from identito.domain.duplicates import ScoredPair
from identito.domain.errors import NotFound
from identito.domain.events import AuditAction
from identito.domain.identifiers import Ins, Oid
from identito.domain.status import CollisionLevel, IdentityAttribute
from identito.services.collisions import declare_collision, list_collisions, resolve_collision
from identito.services.duplicate_decisions import decide, list_reviews
from identito.services.duplicate_reviews import record_pairs
from identito.services.duplicates import score
from identito.services.identities import create_identity, update_identity
from identito.services.indicators import duplicate_indicators
from identito.services.merges import merge_identities
from identito.services.preferences import update_preferences

INS = Ins.parse("180037505612310", Oid.NIR.value)


def _store(uow_factory, admin, rules, *identities):
    with uow_factory() as uow:
        for identity in identities:
            uow.identities.add(identity)
        uow.commit(admin, rules.now())


def _scored(a, b) -> ScoredPair:
    first, second = sorted((a, b), key=lambda i: i.id)
    result = score(first, second)
    return ScoredPair(first.id, second.id, result.score, result.blocking, result.explanation)


def test_recorded_pairs_are_stored_with_their_explanation_and_listed_best_first(
    uow_factory, make_identity, admin, rules, vigilance
):
    a, b, c = make_identity(), make_identity(birth_name="DUPOND"), make_identity(used_name="X")
    for identity in (a, c):  # two holders of one matricule: only in collision (R-DU-03)
        identity.record_ins_retrieval(INS, now=rules.now())
        identity.declare_collision(CollisionLevel.POTENTIAL, now=rules.now())
    _store(uow_factory, admin, rules, a, b, c)
    pairs = [_scored(a, b), _scored(a, c), _scored(b, c)]

    summary = record_pairs(pairs, uow=uow_factory(), actor=vigilance, rules=rules)
    page = list_reviews(uow=uow_factory(), actor=vigilance, rules=rules)

    assert (summary.found, summary.new) == (3, 3)
    assert page.total == 3 and page.items[0].review.blocking  # same matricule first
    scores = [e.review.score for e in page.items[1:]]
    assert scores == sorted(scores, reverse=True)
    stored = {(e.review.first_id, e.review.second_id): e.review for e in page.items}
    for pair in pairs:
        review = stored[(pair.first_id, pair.second_id)]
        assert (review.score, review.blocking, review.explanation) == (
            pair.score, pair.blocking, pair.explanation,
        )  # fmt: skip
        assert review.found_at.tzinfo is not None and review.source is Source.SCAN
    again = record_pairs(pairs, uow=uow_factory(), actor=vigilance, rules=rules)
    assert (again.new, again.refreshed) == (0, 3)


def test_decisions_are_stored_remembered_and_reopened_after_a_trait_change(
    uow_factory, make_identity, admin, rules, vigilance
):
    a, b = make_identity(), make_identity(birth_name="DUPOND")
    _store(uow_factory, admin, rules, a, b)
    record_pairs([_scored(a, b)], uow=uow_factory(), actor=vigilance, rules=rules)
    [entry] = list_reviews(uow=uow_factory(), actor=vigilance, rules=rules).items

    decided = decide(entry.review.id, "homonym", note="homonymes", uow=uow_factory(),
                     actor=vigilance, rules=rules)  # fmt: skip
    unchanged = record_pairs([_scored(a, b)], uow=uow_factory(), actor=vigilance, rules=rules)
    with uow_factory() as uow:
        stored = uow.duplicate_reviews.get(entry.review.id)
        homa = [uow.identities.get(i).attributes for i in (a.id, b.id)]
        version = uow.identities.get(b.id).version
    assert stored == decided.review and stored.fingerprint and stored.note == "homonymes"
    assert unchanged.already_decided == 1
    assert homa == [{IdentityAttribute.HOMONYM}] * 2

    update_identity(b.id, version, {"used_name": "MARTIN"}, uow=uow_factory(), actor=vigilance,
                    rules=rules)  # fmt: skip
    with uow_factory() as uow:
        assert uow.duplicate_reviews.get(entry.review.id).status is ReviewStatus.PENDING


def test_a_creation_records_its_pairs_in_its_own_transaction(
    uow_factory, make_identity, admin, rules, vigilance
):
    existing = make_identity()
    _store(uow_factory, admin, rules, existing)
    data = {"birth_name": "DUPOND", "first_birth_first_name": "JEAN",
            "birth_first_names": "JEAN PIERRE", "birth_date": "1980-03-01", "sex": "M",
            "birth_place_code": "75116"}  # fmt: skip

    created = create_identity(data, uow=uow_factory(), actor=vigilance, rules=rules)

    with uow_factory() as uow:
        [review] = uow.duplicate_reviews.for_identity(created.id)
    assert {review.first_id, review.second_id} == {existing.id, created.id}
    assert review.source is Source.CREATION


def test_a_merge_closes_the_reviews_of_the_merged_identity(
    uow_factory, make_identity, admin, rules, vigilance
):
    a, b = make_identity(), make_identity(birth_name="DUPOND")
    _store(uow_factory, admin, rules, a, b)
    record_pairs([_scored(a, b)], uow=uow_factory(), actor=vigilance, rules=rules)
    [entry] = list_reviews(uow=uow_factory(), actor=vigilance, rules=rules).items
    decide(entry.review.id, "duplicate", uow=uow_factory(), actor=vigilance, rules=rules)

    merge_identities(a.id, b.id, uow=uow_factory(), actor=vigilance, rules=rules)

    with uow_factory() as uow:
        assert uow.duplicate_reviews.get(entry.review.id).status is ReviewStatus.MERGED
    indicators = duplicate_indicators(uow=uow_factory(), actor=admin, rules=rules)
    assert (indicators.found, indicators.pending, indicators.resolved) == (1, 0, 1)


def test_collisions_are_stored_listed_and_resolved(
    uow_factory, make_identity, admin, rules, vigilance
):
    a, b = make_identity(), make_identity(birth_name="MARTIN")
    _store(uow_factory, admin, rules, a, b)

    declare_collision(a.id, confirmed=True, uow=uow_factory(), actor=vigilance, rules=rules)
    listed = list_collisions(uow=uow_factory(), actor=vigilance, rules=rules)
    with uow_factory() as uow:
        stored = uow.identities.get(a.id)

    assert stored.collision is CollisionLevel.CONFIRMED
    assert [i.id for i in listed.items] == [a.id] and listed.total == 1
    assert duplicate_indicators(uow=uow_factory(), actor=admin, rules=rules).collisions == 1

    resolve_collision(a.id, uow=uow_factory(), actor=vigilance, rules=rules)
    with uow_factory() as uow:
        assert uow.identities.get(a.id).collision is None
    assert list_collisions(uow=uow_factory(), actor=vigilance, rules=rules).total == 0


def test_the_review_threshold_is_a_stored_audited_preference(uow_factory, admin, rules):
    prefs = update_preferences({"duplicate_review_threshold": 0.9,
                                "duplicate_scan_interval_hours": 12},
                               uow=uow_factory(), actor=admin, rules=rules)  # fmt: skip

    with uow_factory() as uow:
        stored = uow.preferences.get_all()
        query = select(audit_log.c.after).where(audit_log.c.action == AuditAction.SETTINGS_CHANGED)
        [after] = [row[0] for row in uow.identities.connection.execute(query)]
    assert (prefs.duplicate_review_threshold, prefs.duplicate_scan_interval_hours) == (0.9, 12)
    assert stored["duplicate_review_threshold"] == 0.9
    assert after["duplicate_review_threshold"] == 0.9


def test_an_unknown_review_is_not_found(uow_factory):
    with uow_factory() as uow, pytest.raises(NotFound):
        uow.duplicate_reviews.get(uuid4())
