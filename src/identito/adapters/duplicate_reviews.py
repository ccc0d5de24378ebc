"""``SqlDuplicateReviewRepository``: the duplicate review worklist on SQLAlchemy Core.

New reviews go in one ``executemany`` (``insert_many``), updates in one
``executemany`` of an ``UPDATE ... WHERE id = :id``; pairs are looked up by the
unique ``(first_id, second_id)`` index, a batch at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, RowMapping, bindparam, func, or_, select, tuple_, update

from identito.adapters.bulk import insert_many
from identito.adapters.orm import duplicate_reviews as reviews
from identito.adapters.orm import identities
from identito.domain.duplicate_reviews import DuplicateReview, ReviewStatus, Source
from identito.domain.duplicates import Agreement, Trait, TraitAgreement
from identito.domain.errors import NotFound

#: Pairs looked up per query (a bound parameter each side).
LOOKUP_BATCH = 500
_UPDATED = ("score", "blocking", "explanation", "scored_at", "status", "decided_at",
            "decided_by", "note", "fingerprint")  # fmt: skip


def review_row(review: DuplicateReview) -> dict[str, Any]:
    return {
        "id": review.id,
        "first_id": review.first_id,
        "second_id": review.second_id,
        "score": review.score,
        "blocking": review.blocking,
        "explanation": [_line_dict(line) for line in review.explanation],
        "found_at": review.found_at,
        "scored_at": review.scored_at,
        "source": review.source.value,
        "status": review.status.value,
        "decided_at": review.decided_at,
        "decided_by": review.decided_by,
        "note": review.note,
        "fingerprint": review.fingerprint,
    }


def _line_dict(line: TraitAgreement) -> dict[str, Any]:
    return {
        "trait": line.trait.value,
        "local": line.local,
        "other": line.other,
        "agreement": line.agreement.value,
        "weight": line.weight,
        "note": line.note,
    }


def to_review(row: RowMapping) -> DuplicateReview:
    return DuplicateReview(
        first_id=row["first_id"],
        second_id=row["second_id"],
        score=row["score"],
        blocking=row["blocking"],
        explanation=tuple(_line(x) for x in row["explanation"]),
        found_at=row["found_at"],
        scored_at=row["scored_at"],
        source=Source(row["source"]),
        status=ReviewStatus(row["status"]),
        decided_at=row["decided_at"],
        decided_by=row["decided_by"],
        note=row["note"],
        fingerprint=row["fingerprint"],
        id=row["id"],
    )


def _line(x: dict[str, Any]) -> TraitAgreement:
    return TraitAgreement(
        Trait(x["trait"]), x["local"], x["other"], Agreement(x["agreement"]), x["weight"], x["note"]
    )


class SqlDuplicateReviewRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, new: Sequence[DuplicateReview]) -> None:
        insert_many(self.connection, reviews, [review_row(r) for r in new])

    def save(self, changed: Sequence[DuplicateReview]) -> None:
        if not changed:
            return
        statement = (
            update(reviews)
            .where(reviews.c.id == bindparam("review_id"))
            .values({name: bindparam(name) for name in _UPDATED})
        )
        rows = []
        for review in changed:
            row = review_row(review)
            rows.append({"review_id": review.id, **{name: row[name] for name in _UPDATED}})
        self.connection.execute(statement, rows)

    def get(self, review_id: UUID) -> DuplicateReview:
        row = self.connection.execute(
            select(reviews).where(reviews.c.id == review_id)
        ).mappings().first()  # fmt: skip
        if row is None:
            raise NotFound(f"Paire de doublons inconnue : {review_id}.")
        return to_review(row)

    def for_pairs(
        self, pairs: Iterable[tuple[UUID, UUID]]
    ) -> dict[tuple[UUID, UUID], DuplicateReview]:
        wanted = list(dict.fromkeys(pairs))
        found: dict[tuple[UUID, UUID], DuplicateReview] = {}
        for start in range(0, len(wanted), LOOKUP_BATCH):
            batch = wanted[start : start + LOOKUP_BATCH]
            query = select(reviews).where(
                tuple_(reviews.c.first_id, reviews.c.second_id).in_(batch)
            )
            for row in self.connection.execute(query).mappings():
                found[(row["first_id"], row["second_id"])] = to_review(row)
        return found

    def for_identity(self, identity_id: UUID) -> list[DuplicateReview]:
        query = (
            select(reviews)
            .where(or_(reviews.c.first_id == identity_id, reviews.c.second_id == identity_id))
            .order_by(reviews.c.found_at, reviews.c.id)
        )
        return [to_review(row) for row in self.connection.execute(query).mappings()]

    def listing(
        self, status: ReviewStatus | None, *, limit: int, offset: int
    ) -> list[DuplicateReview]:
        query = select(reviews).order_by(
            reviews.c.blocking.desc(), reviews.c.score.desc(), reviews.c.found_at, reviews.c.id
        )
        if status is not None:
            query = query.where(reviews.c.status == status.value)
        rows = self.connection.execute(query.limit(limit).offset(offset)).mappings()
        return [to_review(row) for row in rows]

    def count(self, status: ReviewStatus | None) -> int:
        query = select(func.count()).select_from(reviews)
        if status is not None:
            query = query.where(reviews.c.status == status.value)
        return int(self.connection.scalar(query) or 0)

    def counts(self) -> dict[ReviewStatus, int]:
        query = select(reviews.c.status, func.count()).group_by(reviews.c.status)
        return {ReviewStatus(s): int(n) for s, n in self.connection.execute(query)}

    def collision_ids(self, *, limit: int, offset: int) -> list[UUID]:
        query = (
            select(identities.c.id)
            .where(identities.c.collision.is_not(None), identities.c.active.is_(True))
            .order_by(identities.c.updated_at.desc(), identities.c.id)
            .limit(limit)
            .offset(offset)
        )
        return list(self.connection.scalars(query))

    def collision_count(self) -> int:
        query = select(func.count()).where(
            identities.c.collision.is_not(None), identities.c.active.is_(True)
        )
        return int(self.connection.scalar(query) or 0)
