"""Engines: URL normalisation, SQLite settings, one engine per URL."""

from __future__ import annotations

from sqlalchemy import text

from identito.adapters.database import engine_for, normalise_url


def test_postgresql_urls_use_psycopg_3():
    for url in ("postgresql://u@db/identito", "postgres://u@db/identito"):
        assert normalise_url(url).drivername == "postgresql+psycopg"
    assert normalise_url("postgresql+psycopg://u@db/x").drivername == "postgresql+psycopg"
    assert normalise_url("sqlite:///var/x.sqlite3").drivername == "sqlite"


def test_a_sqlite_database_is_created_with_its_directory_in_wal_mode(tmp_path):
    path = tmp_path / "new" / "dir" / "identito.sqlite3"
    engine = engine_for(f"sqlite:///{path}")
    with engine.connect() as connection:
        assert connection.scalar(text("PRAGMA journal_mode")) == "wal"
        assert connection.scalar(text("PRAGMA foreign_keys")) == 1
        assert connection.scalar(text("PRAGMA synchronous")) == 1  # NORMAL
    assert path.exists()


def test_one_engine_is_shared_by_every_unit_of_work_of_a_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'identito.sqlite3'}"
    assert engine_for(url) is engine_for(url)
