"""Migrations shipped in the package: idempotent, and in step with the tables."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from identito.adapters.database import create_engine_for
from identito.adapters.migrate import current_revision, head_revision, upgrade_database
from identito.adapters.orm import metadata


def test_upgrading_twice_leaves_the_database_at_the_head(database_url):
    upgrade_database(database_url)
    upgrade_database(database_url)
    assert current_revision(database_url) == head_revision() is not None


def test_a_new_database_starts_without_revision(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    assert current_revision(url) is None
    upgrade_database(url)
    assert current_revision(url) == head_revision()


def test_the_migrated_schema_matches_the_tables_of_the_code(database_url):
    engine = create_engine_for(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()
