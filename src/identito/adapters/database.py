"""Engines for SQLite (embedded default) and PostgreSQL (production, psycopg 3).

One engine per database URL and process, cached: the process holds no other state,
so any number of processes may share the database (optimistic locking on writes).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import URL, Engine, create_engine, event, make_url
from sqlalchemy.pool import StaticPool

_engines: dict[str, Engine] = {}
_lock = threading.Lock()

#: Page cache of each SQLite connection, in KiB (the default 2 MiB thrashes at 1M rows).
SQLITE_CACHE_KIB = 64 * 1024

#: Seconds a SQLite writer waits for another process's write lock.
SQLITE_BUSY_TIMEOUT = 30


def normalise_url(url: str | URL) -> URL:
    """``postgresql://`` and ``postgres://`` URLs use psycopg 3."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


#: orjson: JSON columns (audit snapshots) are serialised several times faster; the
#: parameters of a statement (traits, matricules) never appear in an error message or a
#: log line (issue 13).
_JSON = {
    "json_serializer": _json_dumps,
    "json_deserializer": orjson.loads,
    "hide_parameters": True,
}


def _is_memory(url: URL) -> bool:
    return url.database in (None, "", ":memory:") or "mode=memory" in str(url.query)


def _sqlite_engine(url: URL) -> Engine:
    if _is_memory(url):
        return create_engine(
            url, poolclass=StaticPool, connect_args={"check_same_thread": False}, **_JSON
        )
    assert url.database is not None
    if not url.database.startswith("file:"):
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT}, **_JSON)
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT * 1000}")
    finally:
        cursor.close()


def create_engine_for(url: str | URL) -> Engine:
    """A new engine configured for the database (not cached)."""
    parsed = normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    return create_engine(parsed, pool_pre_ping=True, **_JSON)


def engine_for(url: str | URL) -> Engine:
    """The engine of this process for the database, created once."""
    key = normalise_url(url).render_as_string(hide_password=False)
    with _lock:
        if key not in _engines:
            _engines[key] = create_engine_for(key)
        return _engines[key]


def dispose_engines() -> None:
    """Close every cached engine (tests, process shutdown)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
