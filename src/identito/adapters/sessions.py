"""``SqlSessionStore`` (web sessions) and ``SqlIndicatorStore`` (monthly counters)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from identito.adapters.orm import indicator_counts, web_sessions
from identito.services.unit_of_work import IndicatorKey, WebSession


class SqlSessionStore:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, session: WebSession) -> None:
        self.connection.execute(
            web_sessions.insert(),
            {
                "token_hash": session.token_hash,
                "username": session.username,
                "csrf_token": session.csrf_token,
                "created_at": session.created_at,
                "last_seen_at": session.last_seen_at,
            },
        )

    def get(self, token_hash: str) -> WebSession | None:
        query = select(web_sessions).where(web_sessions.c.token_hash == token_hash)
        row = self.connection.execute(query).mappings().first()
        if row is None:
            return None
        return WebSession(
            row["token_hash"],
            row["username"],
            row["csrf_token"],
            row["created_at"],
            row["last_seen_at"],
        )

    def touch(self, token_hash: str, at: datetime) -> None:
        self.connection.execute(
            update(web_sessions)
            .where(web_sessions.c.token_hash == token_hash)
            .values(last_seen_at=at)
        )

    def delete(self, token_hash: str) -> None:
        self.connection.execute(delete(web_sessions).where(web_sessions.c.token_hash == token_hash))

    def delete_for_user(self, username: str, *, keep: str | None = None) -> int:
        query = delete(web_sessions).where(web_sessions.c.username == username)
        if keep is not None:
            query = query.where(web_sessions.c.token_hash != keep)
        return int(self.connection.execute(query).rowcount)

    def delete_idle(self, seen_before: datetime) -> None:
        self.connection.execute(
            delete(web_sessions).where(web_sessions.c.last_seen_at < seen_before)
        )

    def for_user(self, username: str) -> list[WebSession]:
        query = (
            select(web_sessions)
            .where(web_sessions.c.username == username)
            .order_by(web_sessions.c.created_at, web_sessions.c.token_hash)
        )
        return [
            WebSession(r["token_hash"], r["username"], r["csrf_token"], r["created_at"],
                       r["last_seen_at"])
            for r in self.connection.execute(query).mappings()
        ]  # fmt: skip


class SqlIndicatorStore:
    """One counter row per (month, dimension, value), incremented by an upsert.

    Keys are written in sorted order so that concurrent commits on PostgreSQL lock
    the rows in the same order (no deadlock).
    """

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, deltas: dict[IndicatorKey, int]) -> None:
        if not deltas:
            return
        rows = [
            {"month": m, "dimension": d, "value": v, "delta": deltas[(m, d, v)]}
            for m, d, v in sorted(deltas)
        ]
        dialect = postgresql if self.connection.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(indicator_counts)
        statement = statement.on_conflict_do_update(
            index_elements=["month", "dimension", "value"],
            set_={"delta": indicator_counts.c.delta + statement.excluded.delta},
        )
        self.connection.execute(statement, rows)

    def monthly(self) -> dict[IndicatorKey, int]:
        rows = self.connection.execute(select(indicator_counts))
        return {(month, dimension, value): delta for month, dimension, value, delta in rows}
