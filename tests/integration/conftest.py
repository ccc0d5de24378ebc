"""Storage fixtures: every test using ``database_url`` runs on SQLite, and on
PostgreSQL when ``IDENTITO_TEST_POSTGRES_URL`` names a server (a temporary
database is created for the session and dropped at the end)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import make_url, text

from identito.adapters.database import dispose_engines, engine_for
from identito.adapters.migrate import upgrade_database
from identito.adapters.orm import metadata
from identito.adapters.places import InseeBirthPlaces
from identito.adapters.unit_of_work import SqlUnitOfWork, sql_uow_factory
from identito.domain.identity import Identity
from identito.domain.permissions import Actor, Role, role_permissions
from identito.domain.trait_set import parse_traits
from identito.geography import get_reference
from identito.services.rules import Rules

POSTGRES_ENV = "IDENTITO_TEST_POSTGRES_URL"
START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    server = os.environ.get(POSTGRES_ENV)
    if not server:
        if os.environ.get("IDENTITO_REQUIRE_POSTGRES"):  # CI: never skip silently
            pytest.fail(f"IDENTITO_REQUIRE_POSTGRES is set but {POSTGRES_ENV} is not")
        pytest.skip(f"PostgreSQL storage tests need {POSTGRES_ENV} (a server URL)")
    admin_url = make_url(server).set(drivername="postgresql")
    name = f"identito_test_{secrets.token_hex(4)}"
    dsn = admin_url.render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    try:
        upgrade_database(url)
        yield url
    finally:
        dispose_engines()
        with psycopg.connect(dsn, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    """A migrated, empty database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'var' / 'identito.sqlite3'}"
        upgrade_database(url)
        yield url
        dispose_engines()
        return
    url = request.getfixturevalue("postgres_url")
    upgrade_database(url)  # a no-op: migrated once for the session
    yield url
    tables = ", ".join(t.name for t in metadata.sorted_tables)
    with engine_for(url).begin() as connection:
        connection.execute(text(f"TRUNCATE {tables}"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database with no revision (a PostgreSQL one of its own)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.sqlite3'}"
        return
    server = os.environ.get("IDENTITO_TEST_POSTGRES_URL")
    if not server:
        pytest.skip("PostgreSQL storage tests need IDENTITO_TEST_POSTGRES_URL (a server URL)")
    admin_url = make_url(server).set(drivername="postgresql")
    dsn = admin_url.render_as_string(hide_password=False)
    name = f"identito_mig_{secrets.token_hex(4)}"
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(dsn, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def uow_factory(database_url: str) -> Callable[[], SqlUnitOfWork]:
    return sql_uow_factory(database_url)


@pytest.fixture(scope="session")
def places() -> InseeBirthPlaces:
    return InseeBirthPlaces(get_reference())


class Clock:
    """A clock that moves one second forward at each reading."""

    def __init__(self, start: datetime = START) -> None:
        self.current = start

    def __call__(self) -> datetime:
        self.current += timedelta(seconds=1)
        return self.current


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def rules(places: InseeBirthPlaces, clock: Clock) -> Rules:
    return Rules(places=places, allow_test_oids=True, clock=clock)


@pytest.fixture
def vigilance() -> Actor:
    """A member of the identity-vigilance unit: every identity permission."""
    return Actor("iv.martin", Role.IDENTITY_VIGILANCE, role_permissions(Role.IDENTITY_VIGILANCE))


@pytest.fixture
def admin() -> Actor:
    return Actor("admin", Role.ADMIN, role_permissions(Role.ADMIN))


TRAITS = {
    "birth_name": "DUPONT",
    "first_birth_first_name": "JEAN",
    "birth_first_names": "JEAN PIERRE",
    "birth_date": "1980-03-01",
    "sex": "M",
    "birth_place_code": "75116",
}


@pytest.fixture
def make_identity(places: InseeBirthPlaces) -> Callable[..., Identity]:
    """A new identity from the default synthetic traits and the given overrides."""

    def make(**overrides: Any) -> Identity:
        traits, warnings = parse_traits(
            {**TRAITS, **overrides}, today=date(2026, 3, 1), places=places
        )
        return Identity.create(traits, warnings, now=START)

    return make


@pytest.fixture(autouse=True, scope="session")
def _close_engines_at_the_end() -> Iterator[None]:
    yield
    dispose_engines()
