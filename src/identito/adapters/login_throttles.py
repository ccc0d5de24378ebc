"""``SqlLoginThrottleStore``: failed logins per account and per address, in the database.

``lock`` inserts the row when missing (``ON CONFLICT DO NOTHING``) then selects it
``FOR UPDATE`` (PostgreSQL; SQLite serialises writers anyway), so that two processes
counting a failure of the same key at once both count.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, RowMapping, and_, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from identito.adapters.orm import login_throttles as table
from identito.domain.login_throttle import ThrottleKind, ThrottleState


class SqlLoginThrottleStore:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def get(self, kind: ThrottleKind, key: str) -> ThrottleState | None:
        row = self.connection.execute(
            select(table).where(table.c.kind == kind.value, table.c.key == key)
        ).mappings().first()  # fmt: skip
        return _state(row) if row else None

    def lock(self, kind: ThrottleKind, key: str) -> ThrottleState:
        dialect = postgresql if self.connection.dialect.name == "postgresql" else sqlite
        self.connection.execute(
            dialect.insert(table)
            .values(kind=kind.value, key=key, failures=0)
            .on_conflict_do_nothing(index_elements=["kind", "key"])
        )
        query = select(table).where(table.c.kind == kind.value, table.c.key == key)
        row = self.connection.execute(query.with_for_update()).mappings().one()
        return _state(row)

    def save(self, kind: ThrottleKind, key: str, state: ThrottleState) -> None:
        self.connection.execute(
            update(table)
            .where(table.c.kind == kind.value, table.c.key == key)
            .values(
                failures=state.failures,
                last_failure_at=state.last_failure_at,
                locked_until=state.locked_until,
            )
        )

    def delete(self, kind: ThrottleKind, key: str) -> bool:
        query = delete(table).where(table.c.kind == kind.value, table.c.key == key)
        return self.connection.execute(query).rowcount > 0

    def locked(self, now: datetime) -> list[tuple[ThrottleKind, str, ThrottleState]]:
        query = (
            select(table)
            .where(table.c.locked_until > now)
            .order_by(table.c.locked_until.desc(), table.c.kind, table.c.key)
        )
        rows = self.connection.execute(query).mappings()
        return [(ThrottleKind(row["kind"]), row["key"], _state(row)) for row in rows]

    def delete_stale(self, now: datetime, failed_before: datetime) -> None:
        not_locked = or_(table.c.locked_until.is_(None), table.c.locked_until <= now)
        self.connection.execute(
            delete(table).where(and_(not_locked, table.c.last_failure_at < failed_before))
        )


def _state(row: RowMapping) -> ThrottleState:
    return ThrottleState(row["failures"], row["last_failure_at"], row["locked_until"])
