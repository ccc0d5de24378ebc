"""``SqlAuditLog`` (the ``AuditLog`` port) and ``SqlOutbox`` (events to propagate).

Both only write on the connection of the unit of work, inside its transaction:
an audit row or an outbox row never exists without the change it describes. Audit
rows are hash-chained as they are written (``adapters.audit_chain``), and each row
read back says whether it still matches its hash (``AuditEntry.intact``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Connection, RowMapping, func, select, update

from identito.adapters.audit_chain import chain_rows, row_is_intact
from identito.adapters.audit_chain import heads as chain_heads
from identito.adapters.audit_verify import verify_chains
from identito.adapters.bulk import insert_many
from identito.adapters.orm import audit_log, outbox
from identito.domain.events import AuditAction
from identito.domain.ids import new_id
from identito.services.audit_integrity import AuditCheck, ChainHead
from identito.services.unit_of_work import AuditEntry, AuditQuery


class SqlAuditLog:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def write(self, entries: Iterable[AuditEntry]) -> None:
        rows = [_audit_row(entry, position) for position, entry in enumerate(entries)]
        if rows:
            chain_rows(self.connection, rows)
            insert_many(self.connection, audit_log, rows)

    def for_identity(self, identity_id: UUID) -> list[AuditEntry]:
        query = (
            select(audit_log)
            .where(audit_log.c.identity_id == identity_id)
            .order_by(audit_log.c.at, audit_log.c.position)
        )
        return [_audit_entry(row) for row in self.connection.execute(query).mappings()]

    def search(self, query: AuditQuery) -> list[AuditEntry]:
        found = (
            select(audit_log)
            .where(*_conditions(query))
            .order_by(audit_log.c.at.desc(), audit_log.c.position.desc(), audit_log.c.id.desc())
            .offset(query.offset)
            .limit(query.limit)
        )
        return [_audit_entry(row) for row in self.connection.execute(found).mappings()]

    def count(self, query: AuditQuery) -> int:
        counted = select(func.count()).select_from(audit_log).where(*_conditions(query))
        return int(self.connection.execute(counted).scalar_one())

    def actors(self, identity_id: UUID | None) -> list[str]:
        found = select(audit_log.c.actor).distinct().order_by(audit_log.c.actor)
        if identity_id is not None:
            found = found.where(audit_log.c.identity_id == identity_id)
        return [row[0] for row in self.connection.execute(found)]

    def verify(self, anchor: Sequence[ChainHead]) -> AuditCheck:
        return verify_chains(self.connection, anchor)

    def heads(self) -> list[ChainHead]:
        return [ChainHead(c, seq, h) for c, (seq, h) in chain_heads(self.connection).items()]


def _conditions(query: AuditQuery) -> list[ColumnElement[bool]]:
    c = audit_log.c
    conditions: list[ColumnElement[bool]] = []
    if query.identity_id is not None:
        conditions.append(c.identity_id == query.identity_id)
    if query.since is not None:
        conditions.append(c.at >= query.since)
    if query.until is not None:
        conditions.append(c.at < query.until)
    if query.actor is not None:
        conditions.append(c.actor == query.actor)
    if query.action is not None:
        conditions.append(c.action == query.action.value)
    return conditions


def _audit_row(entry: AuditEntry, position: int) -> dict[str, Any]:
    return {
        "id": entry.id,
        "at": entry.at,
        "position": position,
        "actor": entry.actor,
        "action": entry.action.value,
        "identity_id": entry.identity_id,
        "before": entry.before,
        "after": entry.after,
        "reason": entry.reason,
        "details": entry.details,
        "chain": None,
        "seq": None,
        "prev_hash": None,
        "hash": None,
    }


def _audit_entry(row: RowMapping) -> AuditEntry:
    return AuditEntry(
        actor=row["actor"],
        at=row["at"],
        action=AuditAction(row["action"]),
        identity_id=row["identity_id"],
        before=row["before"],
        after=row["after"],
        reason=row["reason"],
        details=row["details"],
        id=row["id"],
        intact=row_is_intact(row),
    )


class SqlOutbox:
    """Audit entries marked ``propagate``, waiting for the diffusion flows (HL7 A47/A31/A40).

    The payload keeps the entry's ``before``/``after`` and the identifiers of its
    details (``merge_id``, ``merged_id``...) that a merge's messages need."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, entries: Iterable[AuditEntry]) -> None:
        rows = [
            {
                "id": new_id(),
                "identity_id": entry.identity_id,
                "action": entry.action.value,
                "created_at": entry.at,
                "payload": {
                    "audit_id": str(entry.id),
                    "before": entry.before,
                    "after": entry.after,
                    "details": _outbox_details(entry.details),
                },
                "sent_at": None,
            }
            for entry in entries
            if entry.details.get("propagate") and entry.identity_id is not None
        ]
        insert_many(self.connection, outbox, rows)

    def unsent(self, limit: int = 100) -> list[dict[str, Any]]:
        query = (
            select(outbox)
            .where(outbox.c.sent_at.is_(None))
            .order_by(outbox.c.created_at, outbox.c.id)
            .limit(limit)
        )
        return [dict(row) for row in self.connection.execute(query).mappings()]

    def mark_sent(self, ids: Iterable[UUID], at: datetime) -> None:
        ids = list(ids)
        if ids:
            self.connection.execute(update(outbox).where(outbox.c.id.in_(ids)).values(sent_at=at))


def _outbox_details(details: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in details.items() if k != "propagate"}
