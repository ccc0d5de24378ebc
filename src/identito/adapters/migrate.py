"""Schema migrations run from Python: ``identito db upgrade`` calls ``upgrade_database``.

The Alembic scripts ship inside the package (``identito/migrations``), so no
``alembic.ini`` is needed; the one at the repository root is for running
``alembic`` by hand during development.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from identito.adapters.database import create_engine_for, normalise_url

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    url = normalise_url(database_url).render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_database(database_url: str) -> None:
    """Bring the database to the latest schema; a no-op when it is already there."""
    config = alembic_config(database_url)
    engine = create_engine_for(database_url)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        engine.dispose()


def current_revision(database_url: str) -> str | None:
    """The revision the database is at, None before the first migration."""
    engine = create_engine_for(database_url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def head_revision() -> str | None:
    """The latest revision shipped with this version of identito."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def schema_is_current(database_url: str) -> bool:
    """Is the database migrated to the latest revision shipped with this version?"""
    return current_revision(database_url) == head_revision()
