"""Helpers of the migration tests: bring a database (``fresh_url``) to a revision, and
work on it with a connection of its own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from alembic import command

from identito.adapters.database import create_engine_for
from identito.adapters.migrate import alembic_config


def upgrade(url: str, revision: str) -> None:
    """Migrate the database at ``url`` up to ``revision`` (``head`` for the last)."""
    config = alembic_config(url)
    engine = create_engine_for(url)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()


def with_engine(url: str, work: Callable[[Any], Any]) -> Any:
    """Run ``work(connection)`` in one committed transaction, on an engine of its own."""
    engine = create_engine_for(url)
    try:
        with engine.begin() as connection:
            return work(connection)
    finally:
        engine.dispose()
