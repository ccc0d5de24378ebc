"""``SqlMergeRepository``: the ``MergeRepository`` port on SQLAlchemy Core."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import Connection, insert, select, update

from identito.adapters.orm import merges
from identito.domain.errors import NotFound
from identito.domain.merges import Merge


class SqlMergeRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, merge: Merge) -> None:
        self.connection.execute(insert(merges).values(vars(merge)))

    def get(self, merge_id: UUID) -> Merge:
        row = (
            self.connection.execute(select(merges).where(merges.c.id == merge_id))
            .mappings()
            .first()
        )
        if row is None:
            raise NotFound(f"Fusion inconnue : {merge_id}.")
        return Merge(**row)

    def update(self, merge: Merge) -> None:
        self.connection.execute(
            update(merges)
            .where(merges.c.id == merge.id)
            .values(undone_at=merge.undone_at, undone_by=merge.undone_by)
        )

    def active_into(self, survivor_id: UUID) -> list[Merge]:
        query = (
            select(merges)
            .where(merges.c.survivor_id == survivor_id, merges.c.undone_at.is_(None))
            .order_by(merges.c.at, merges.c.id)
        )
        return [Merge(**row) for row in self.connection.execute(query).mappings()]
