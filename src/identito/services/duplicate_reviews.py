"""The duplicate review worklist (issue 7): recording the pairs found.

Pairs come from the batch scan (``record_pairs``, fed by
``services.duplicate_scan.scan_pairs``) and from the creation or change of one
identity (``record_candidates``, inside that use case's unit of work); a merge
closes the open reviews of the merged identity (``close_merged_reviews``).
Reading the worklist and deciding: ``services.duplicate_decisions``. Everything
is in the database: several ``identito serve`` processes share one worklist.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from identito.domain import duplicate_reviews as reviews
from identito.domain.duplicate_reviews import (
    DuplicateReview,
    ReviewStatus,
    Source,
    fingerprint,
)
from identito.domain.duplicates import ScoredPair
from identito.domain.errors import InvalidInput
from identito.domain.events import AuditAction
from identito.domain.identity import Identity
from identito.domain.permissions import Actor, Permission
from identito.services.duplicates import candidate_scores
from identito.services.preferences import read_preferences
from identito.services.rules import Rules
from identito.services.unit_of_work import AuditEntry, UnitOfWork

#: Pairs written per transaction by ``record_pairs``.
BATCH_SIZE = 1000
REVIEW = Permission.DUPLICATES_REVIEW


class Scanner(Protocol):
    """``services.duplicate_scan.scan_pairs``: the pairs of the whole active base."""

    def __call__(
        self,
        uow: UnitOfWork,
        *,
        threshold: float,
        progress: Callable[[int, int], None] | None = None,
    ) -> Iterator[ScoredPair]: ...


@dataclass(frozen=True)
class ScanSummary:
    found: int = 0  # pairs received
    new: int = 0  # new pending reviews
    reopened: int = 0  # decided pairs whose traits changed since (or merge undone)
    refreshed: int = 0  # already pending, score updated
    already_decided: int = 0  # decided and unchanged: not proposed again

    def __add__(self, other: ScanSummary) -> ScanSummary:
        mine, theirs = vars(self).values(), vars(other).values()
        return ScanSummary(*(a + b for a, b in zip(mine, theirs, strict=True)))


# -- recording ------------------------------------------------------------------------------


def review_threshold(uow: UnitOfWork, rules: Rules) -> float:
    """The score from which a pair is reviewed (preference), inside an open unit of work."""
    return read_preferences(uow, rules).duplicate_review_threshold


def record_pairs(
    pairs: Iterable[ScoredPair],
    *,
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
    source: Source = Source.SCAN,
) -> ScanSummary:
    """Store the pairs of a scan in the worklist, ``BATCH_SIZE`` per transaction.

    A new pair becomes pending; a pending one is rescored; a decided one stays
    decided while neither identity's traits changed (fingerprint), else it is
    pending again. One audit row sums the scan up.
    """
    actor.require(REVIEW)
    summary = ScanSummary()
    with uow:
        batch: list[ScoredPair] = []
        for pair in pairs:
            batch.append(pair)
            if len(batch) >= BATCH_SIZE:
                summary += _record_batch(batch, uow=uow, now=rules.now(), source=source)
                uow.commit(actor, rules.now())
                batch = []
        summary += _record_batch(batch, uow=uow, now=rules.now(), source=source)
        now = rules.now()
        uow.add_audit(
            AuditEntry(actor.username, now, AuditAction.DUPLICATES_SCANNED, None,
                       details={"source": source.value, **vars(summary)})
        )  # fmt: skip
        uow.commit(actor, now)
    return summary


def run_scan(
    *,
    uow_factory: Callable[[], UnitOfWork],
    actor: Actor,
    rules: Rules,
    scan: Scanner,
    threshold: float | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[float, ScanSummary]:
    """Scan the base (``scan``: ``services.duplicate_scan.scan_pairs``) and record the
    pairs; the threshold is the stored preference unless given. Returns both."""
    actor.require(REVIEW)
    if threshold is None:
        with uow_factory() as uow:
            threshold = review_threshold(uow, rules)
    elif not 0.0 <= threshold <= 1.0:
        raise InvalidInput.single("threshold", "threshold_range", "Le seuil est entre 0 et 1.")
    pairs = scan(uow_factory(), threshold=threshold, progress=progress)
    return threshold, record_pairs(pairs, uow=uow_factory(), actor=actor, rules=rules)


def record_candidates(
    identity: Identity, *, uow: UnitOfWork, rules: Rules, source: Source
) -> ScanSummary:
    """Inside the creation or change use case: its candidates above the review
    threshold (and blocking ones) go to the worklist, in the same transaction.

    Cheap: one blocking query (at most ``CANDIDATE_LIMIT`` candidates), scored in
    memory, one lookup of the pairs already stored.
    """
    threshold = review_threshold(uow, rules)
    pairs = []
    for candidate, pair in candidate_scores(identity, uow=uow, threshold=threshold, by_id=True):
        first, second = sorted((identity.id, candidate.id))
        pairs.append(ScoredPair(first, second, pair.score, pair.blocking, pair.explanation))
    return _record_batch(pairs, uow=uow, now=rules.now(), source=source)


def _record_batch(
    pairs: Sequence[ScoredPair], *, uow: UnitOfWork, now: datetime, source: Source
) -> ScanSummary:
    unique = {(p.first_id, p.second_id): p for p in pairs}
    stored = uow.duplicate_reviews.for_pairs(unique)
    new, changed = [], []
    counts = {"new": 0, "reopened": 0, "refreshed": 0, "already_decided": 0}
    for key, pair in unique.items():
        existing = stored.get(key)
        if existing is None:
            new.append(DuplicateReview.found(pair, now=now, source=source))
            counts["new"] += 1
            continue
        current = _fingerprint(existing, uow) if existing.status in reviews.REMEMBERED else ""
        again = existing.found_again(pair, current, now=now)
        if again is existing:
            counts["already_decided"] += 1
            continue
        changed.append(again)
        counts["reopened" if existing.status is not ReviewStatus.PENDING else "refreshed"] += 1
    uow.duplicate_reviews.add(new)
    uow.duplicate_reviews.save(changed)
    return ScanSummary(found=len(unique), **counts)


def record_held_ins_pairs(pairs: Sequence[ScoredPair], *, uow: UnitOfWork, now: datetime) -> None:
    """Inside the refusal of a matricule already held (R-DU-03): each pair is pending in
    the worklist, new, rescored, or reopened whatever was decided before."""
    stored = uow.duplicate_reviews.for_pairs((p.first_id, p.second_id) for p in pairs)
    new, changed = [], []
    for pair in pairs:
        existing = stored.get((pair.first_id, pair.second_id))
        if existing is None:
            new.append(DuplicateReview.found(pair, now=now, source=Source.INS_HELD))
        elif (again := existing.found_again(pair, "", now=now)) is not existing:
            changed.append(again)
    uow.duplicate_reviews.add(new)
    uow.duplicate_reviews.save(changed)


def _fingerprint(review: DuplicateReview, uow: UnitOfWork) -> str:
    return fingerprint(uow.identities.get(review.first_id), uow.identities.get(review.second_id))


def close_merged_reviews(merged_id: UUID, *, uow: UnitOfWork, actor: Actor, now: datetime) -> int:
    """Inside the merge use case: the open reviews naming the merged identity are closed
    as ``merged`` (the pair merged, or one side now inactive). Returns how many."""
    closed = [
        review.close_merged(now=now, by=actor.username)
        for review in uow.duplicate_reviews.for_identity(merged_id)
        if review.status.is_open
    ]
    uow.duplicate_reviews.save(closed)
    return len(closed)
