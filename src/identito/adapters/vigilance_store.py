"""SQL repository of the identity-vigilance worklists (migration ``0005``).

The lists and counts leave out the entries of ``IDENTITY_WORK`` about a merged
(inactive) identity.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    Connection,
    Join,
    RowMapping,
    and_,
    func,
    insert,
    or_,
    select,
    update,
)

from identito.adapters.orm import identities, vigilance_entries
from identito.domain.errors import NotFound
from identito.services.vigilance_records import (
    IDENTITY_WORK,
    EntryDecision,
    EntryKind,
    VigilanceEntry,
)


class SqlVigilanceRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, entry: VigilanceEntry) -> None:
        self.connection.execute(insert(vigilance_entries).values(_entry_row(entry)))

    def get(self, entry_id: UUID) -> VigilanceEntry:
        query = select(vigilance_entries).where(vigilance_entries.c.id == entry_id)
        row = self.connection.execute(query).mappings().first()
        if row is None:
            raise NotFound(f"Élément de liste de travail inconnu : {entry_id}.")
        return _entry(row)

    def open_for(self, kind: EntryKind, identity_id: UUID) -> VigilanceEntry | None:
        t = vigilance_entries
        query = select(t).where(
            t.c.kind == kind.value, t.c.identity_id == identity_id, t.c.resolved_at.is_(None)
        )
        row = self.connection.execute(query.limit(1)).mappings().first()
        return _entry(row) if row else None

    def entries(
        self, kind: EntryKind | None = None, *, open_only: bool = True, limit: int = 200
    ) -> list[VigilanceEntry]:
        t = vigilance_entries
        conditions = [_not_merged()]
        if kind is not None:
            conditions.append(t.c.kind == kind.value)
        if open_only:
            conditions.append(t.c.resolved_at.is_(None))
        query = (
            select(t)
            .select_from(_with_identity())
            .where(and_(*conditions))
            .order_by(t.c.created_at, t.c.id)
            .limit(limit)
        )
        return [_entry(row) for row in self.connection.execute(query).mappings()]

    def resolve(self, entry: VigilanceEntry) -> None:
        self.connection.execute(
            update(vigilance_entries)
            .where(vigilance_entries.c.id == entry.id)
            .values(
                resolved_at=entry.resolved_at,
                resolved_by=entry.resolved_by,
                decision=entry.decision.value if entry.decision else None,
                comment=entry.comment,
            )
        )

    def count_open(self) -> dict[str, int]:
        t = vigilance_entries
        query = (
            select(t.c.kind, func.count())
            .select_from(_with_identity())
            .where(t.c.resolved_at.is_(None), _not_merged())
            .group_by(t.c.kind)
        )
        return {kind: n for kind, n in self.connection.execute(query)}


def _with_identity() -> Join:
    return vigilance_entries.outerjoin(
        identities, identities.c.id == vigilance_entries.c.identity_id
    )


def _not_merged() -> ColumnElement[bool]:
    """Not an entry of ``IDENTITY_WORK`` about a merged identity."""
    return or_(
        vigilance_entries.c.kind.not_in([k.value for k in IDENTITY_WORK]),
        identities.c.active.is_(None),  # no identity (a received message)
        identities.c.active.is_(True),
    )


def _entry_row(entry: VigilanceEntry) -> dict[str, Any]:
    return {
        **vars(entry),
        "kind": entry.kind.value,
        "decision": entry.decision.value if entry.decision else None,
    }


def _entry(row: RowMapping) -> VigilanceEntry:
    return VigilanceEntry(
        **{
            **row,
            "kind": EntryKind(row["kind"]),
            "decision": EntryDecision(row["decision"]) if row["decision"] else None,
        }
    )
