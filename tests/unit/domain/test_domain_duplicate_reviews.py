"""The review of one pair: found, found again, decided, closed by a merge."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fakes import NOW, make_identity
from identito.domain.duplicate_reviews import (
    Decision,
    DuplicateReview,
    ReviewStatus,
    Source,
    fingerprint,
    ordered_pair,
)
from identito.domain.duplicates import ScoredPair
from identito.domain.errors import InvalidInput, InvalidTransition

LATER = NOW + timedelta(days=1)


def _pair(score: float = 0.95):
    a, b = make_identity(), make_identity(birth_name="DUPOND")
    first, second = sorted((a, b), key=lambda i: i.id)
    return first, second, ScoredPair(first.id, second.id, score, False, ())


def _decided(decision: Decision, first, second, pair) -> DuplicateReview:
    review = DuplicateReview.found(pair, now=NOW, source=Source.SCAN)
    return review.decide(decision, fingerprint=fingerprint(first, second), by="iv", now=NOW,
                         note="vu")  # fmt: skip


def test_a_found_pair_is_pending_with_its_score_and_source():
    _, _, pair = _pair()

    review = DuplicateReview.found(pair, now=NOW, source=Source.CREATION)

    assert (review.status, review.score, review.source) == (ReviewStatus.PENDING, 0.95,
                                                            Source.CREATION)  # fmt: skip
    assert review.found_at == review.scored_at == NOW


def test_a_pair_must_be_ordered():
    first, second, _ = _pair()

    with pytest.raises(ValueError, match="ordered"):
        DuplicateReview.found(ScoredPair(second.id, first.id, 0.9, False, ()), now=NOW,
                              source=Source.SCAN)  # fmt: skip
    assert ordered_pair(second.id, first.id) == (first.id, second.id)


def test_a_pending_pair_found_again_is_rescored():
    _, _, pair = _pair(0.9)
    review = DuplicateReview.found(pair, now=NOW, source=Source.SCAN)

    again = review.found_again(ScoredPair(pair.first_id, pair.second_id, 0.97, True, ()), "",
                               now=LATER)  # fmt: skip

    assert (again.status, again.score, again.blocking) == (ReviewStatus.PENDING, 0.97, True)
    assert again.scored_at == LATER and again.found_at == NOW


@pytest.mark.parametrize("decision", [Decision.NOT_DUPLICATE, Decision.HOMONYM,
                                      Decision.COLLISION])  # fmt: skip
def test_a_decided_pair_is_not_proposed_again_while_no_trait_changes(decision):
    first, second, pair = _pair()
    decided = _decided(decision, first, second, pair)

    again = decided.found_again(pair, fingerprint(first, second), now=LATER)

    assert again is decided


def test_a_not_duplicate_pair_is_proposed_again_once_a_trait_changes():
    first, second, pair = _pair()
    decided = _decided(Decision.NOT_DUPLICATE, first, second, pair)
    first.traits = second.traits

    again = decided.found_again(pair, fingerprint(first, second), now=LATER)

    assert again.status is ReviewStatus.PENDING
    assert (again.decided_by, again.fingerprint, again.note) == (None, None, None)


def test_a_confirmed_duplicate_awaits_its_merge_whatever_the_scan_says():
    first, second, pair = _pair()
    decided = _decided(Decision.DUPLICATE, first, second, pair)

    assert decided.found_again(pair, "other", now=LATER) is decided
    assert decided.status.is_open


def test_a_merged_pair_found_again_is_pending_again_as_the_merge_was_undone():
    _first, _second, pair = _pair()
    closed = DuplicateReview.found(pair, now=NOW, source=Source.SCAN).close_merged(now=NOW, by="iv")

    assert closed.found_again(pair, "", now=LATER).status is ReviewStatus.PENDING


@pytest.mark.parametrize("status", [ReviewStatus.NOT_DUPLICATE, ReviewStatus.MERGED])
def test_a_closed_review_refuses_another_decision(status):
    first, second, pair = _pair()
    review = DuplicateReview.found(pair, now=NOW, source=Source.SCAN)
    closed = review.close_merged(now=NOW, by="iv") if status is ReviewStatus.MERGED else \
        _decided(Decision.NOT_DUPLICATE, first, second, pair)  # fmt: skip

    with pytest.raises(InvalidTransition, match="déjà close") as raised:
        closed.decide(Decision.DUPLICATE, fingerprint="x", by="iv", now=LATER, note=None)
    assert raised.value.rule == "review_closed"


def test_the_fingerprint_changes_with_a_trait_or_the_matricule_but_not_the_order():
    first, second, _ = _pair()
    before = fingerprint(first, second)

    assert fingerprint(second, first) == before
    first.change_attributes([], [], now=LATER)
    assert fingerprint(first, second) == before
    second.traits = first.traits
    assert fingerprint(first, second) != before


def test_an_unknown_decision_or_status_names_the_field_and_the_rule():
    with pytest.raises(InvalidInput) as decision:
        Decision.parse("peut-être")
    with pytest.raises(InvalidInput) as status:
        ReviewStatus.parse("ouvert")

    assert [(e.field, e.rule) for e in decision.value.errors] == [("decision", "decision_unknown")]
    assert [(e.field, e.rule) for e in status.value.errors] == [("status", "review_status_unknown")]
    assert Decision.parse(" Homonym ") is Decision.HOMONYM
