"""Port of the duplicate review worklist (stored in the database, shared by every
``identito serve`` process): ``DuplicateReviewRepository``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol
from uuid import UUID

from identito.domain.duplicate_reviews import DuplicateReview, ReviewStatus


class DuplicateReviewRepository(Protocol):
    def add(self, reviews: Sequence[DuplicateReview]) -> None:
        """Insert new reviews (one per pair: the pair is unique)."""
        ...

    def save(self, reviews: Sequence[DuplicateReview]) -> None:
        """Update stored reviews (score, status, decision...)."""
        ...

    def get(self, review_id: UUID) -> DuplicateReview:
        """Raise ``NotFound`` when there is no such review."""
        ...

    def for_pairs(
        self, pairs: Iterable[tuple[UUID, UUID]]
    ) -> dict[tuple[UUID, UUID], DuplicateReview]:
        """The stored reviews of these ordered pairs ``(first_id, second_id)``."""
        ...

    def for_identity(self, identity_id: UUID) -> list[DuplicateReview]:
        """Every review naming the identity, on either side."""
        ...

    def listing(
        self, status: ReviewStatus | None, *, limit: int, offset: int
    ) -> list[DuplicateReview]:
        """Reviews of a status (all when None): blocking first, then by score, best first."""
        ...

    def count(self, status: ReviewStatus | None) -> int: ...

    def counts(self) -> dict[ReviewStatus, int]:
        """The number of reviews of each status."""
        ...

    def collision_ids(self, *, limit: int, offset: int) -> list[UUID]:
        """Active identities carrying a collision (COLP/COLV), most recently changed first."""
        ...

    def collision_count(self) -> int: ...
