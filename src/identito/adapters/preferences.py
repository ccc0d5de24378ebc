"""``SqlPreferenceStore``: organisation preferences in the ``preferences`` table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from identito.adapters.orm import preferences


class SqlPreferenceStore:
    """Values are wrapped as ``{"v": value}``: SQLite's JSON column has numeric
    affinity and would turn a bare ``0.8`` into a REAL that is no longer JSON text."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def get_all(self) -> dict[str, Any]:
        rows = self.connection.execute(select(preferences.c.key, preferences.c.value))
        return {key: stored["v"] for key, stored in rows}

    def set(self, key: str, value: Any, *, by: str, at: datetime) -> None:
        self.connection.execute(delete(preferences).where(preferences.c.key == key))
        self.connection.execute(
            insert(preferences).values(key=key, value={"v": value}, updated_at=at, updated_by=by)
        )
