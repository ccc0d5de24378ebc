"""``FakeDuplicateReviews``: the duplicate review worklist in memory (kept at commit)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from uuid import UUID

from identito.domain.duplicate_reviews import DuplicateReview, ReviewStatus
from identito.domain.errors import NotFound
from identito.domain.identity import Identity


class FakeDuplicateReviews:
    def __init__(self, committed: dict[UUID, DuplicateReview] | None = None) -> None:
        self.committed = {} if committed is None else committed
        self._pending: dict[UUID, DuplicateReview] = {}
        self.identities: dict[UUID, Identity] = {}  # set by FakeUnitOfWork

    def add(self, reviews: Sequence[DuplicateReview]) -> None:
        pairs = {(r.first_id, r.second_id) for r in self._visible().values()}
        for review in reviews:
            if (review.first_id, review.second_id) in pairs:
                raise ValueError("unique constraint: one review per pair")
            pairs.add((review.first_id, review.second_id))
            self._pending[review.id] = review

    def save(self, reviews: Sequence[DuplicateReview]) -> None:
        for review in reviews:
            self.get(review.id)
            self._pending[review.id] = review

    def get(self, review_id: UUID) -> DuplicateReview:
        found = self._visible().get(review_id)
        if found is None:
            raise NotFound(f"Paire de doublons inconnue : {review_id}.")
        return found

    def for_pairs(
        self, pairs: Iterable[tuple[UUID, UUID]]
    ) -> dict[tuple[UUID, UUID], DuplicateReview]:
        wanted = set(pairs)
        return {
            (r.first_id, r.second_id): r
            for r in self._visible().values()
            if (r.first_id, r.second_id) in wanted
        }

    def for_identity(self, identity_id: UUID) -> list[DuplicateReview]:
        found = [r for r in self._visible().values() if r.involves(identity_id)]
        return sorted(found, key=lambda r: (r.found_at, r.id))

    def listing(
        self, status: ReviewStatus | None, *, limit: int, offset: int
    ) -> list[DuplicateReview]:
        found = [r for r in self._visible().values() if status in (None, r.status)]
        found.sort(key=lambda r: (not r.blocking, -r.score, r.found_at, r.id))
        return found[offset : offset + limit]

    def count(self, status: ReviewStatus | None) -> int:
        return sum(1 for r in self._visible().values() if status in (None, r.status))

    def counts(self) -> dict[ReviewStatus, int]:
        counts: dict[ReviewStatus, int] = {}
        for review in self._visible().values():
            counts[review.status] = counts.get(review.status, 0) + 1
        return counts

    def collision_ids(self, *, limit: int, offset: int) -> list[UUID]:
        found = [i for i in self.identities.values() if i.collision is not None and i.active]
        found.sort(key=lambda i: (-(i.updated_at.timestamp() if i.updated_at else 0), i.id))
        return [i.id for i in found][offset : offset + limit]

    def collision_count(self) -> int:
        return sum(1 for i in self.identities.values() if i.collision is not None and i.active)

    def _visible(self) -> dict[UUID, DuplicateReview]:
        return {**self.committed, **self._pending}

    def _commit(self) -> None:
        self.committed.update(self._pending)
        self._pending.clear()

    def _rollback(self) -> None:
        self._pending.clear()
