"""SQL leases of the scheduler: one holder at a time (migration ``0005``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from identito.adapters.orm import scheduler_leases


class SqlLeaseStore:
    """A lease is taken by an ``UPDATE`` that only matches an expired (or own) lease,
    or by the ``INSERT`` of its first row: atomic on SQLite and PostgreSQL alike."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def acquire(self, name: str, holder: str, now: datetime, until: datetime) -> bool:
        t = scheduler_leases
        result = self.connection.execute(
            update(t)
            .where(t.c.name == name, or_(t.c.expires_at < now, t.c.holder == holder))
            .values(holder=holder, expires_at=until)
        )
        if result.rowcount == 1:
            return True
        exists = self.connection.execute(select(t.c.name).where(t.c.name == name)).first()
        if exists is not None:
            return False
        try:
            with self.connection.begin_nested():
                self.connection.execute(
                    insert(t).values(name=name, holder=holder, expires_at=until)
                )
        except IntegrityError:
            return False
        return True

    def release(self, name: str, holder: str) -> None:
        t = scheduler_leases
        self.connection.execute(delete(t).where(t.c.name == name, t.c.holder == holder))
