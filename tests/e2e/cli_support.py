"""Helpers of the CLI tests: run ``identito`` in-process on a temporary SQLite file.

``Cli`` runs commands with Typer's ``CliRunner``; settings come from the environment
(``IDENTITO_DATABASE_URL``, ``IDENTITO_TEST_MODE``) exactly as for an operator.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner, Result

from identito.adapters.database import dispose_engines, engine_for
from identito.adapters.orm import identities
from identito.bootstrap import Container, bootstrap
from identito.config import Settings
from identito.entrypoints.cli import app
from identito.synthetic import synthetic_identities

HEADER = (
    "birth_name",
    "birth_first_names",
    "first_birth_first_name",
    "birth_date",
    "sex",
    "birth_place_code",
    "used_name",
    "used_first_name",
)
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def text(result: Result) -> str:
    """Everything the command printed (stdout and stderr), on one line, without colours."""
    return " ".join(_ANSI.sub("", result.output).split())


class Cli:
    """``identito`` against one SQLite file, in test mode unless told otherwise."""

    def __init__(self, directory: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.directory = directory
        self.monkeypatch = monkeypatch
        self.database_url = f"sqlite:///{directory / 'identito.sqlite3'}"
        for name in list(os.environ):
            if name.startswith("IDENTITO_") and name != "IDENTITO_TEST_POSTGRES_URL":
                monkeypatch.delenv(name)
        monkeypatch.setenv("IDENTITO_DATABASE_URL", self.database_url)
        monkeypatch.setenv("IDENTITO_TEST_MODE", "true")
        self.runner = CliRunner()

    def __call__(self, *args: str | Path, input: str | None = None) -> Result:
        result = self.runner.invoke(app, [str(a) for a in args], input=input)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result

    def ok(self, *args: str | Path, input: str | None = None) -> Result:
        """Run a command that must succeed."""
        result = self(*args, input=input)
        assert result.exit_code == 0, text(result)
        return result

    def container(self) -> Container:
        return bootstrap(Settings(database_url=self.database_url, test_mode=True))

    def count_identities(self) -> int:
        with engine_for(self.database_url).connect() as connection:
            return connection.execute(select(func.count()).select_from(identities)).scalar_one()

    def identity_ids(self) -> list[UUID]:
        with engine_for(self.database_url).connect() as connection:
            return list(connection.execute(select(identities.c.id)).scalars())

    def stored_traits(self) -> list[tuple[Any, ...]]:
        """Every stored identity as its traits (ids and times left out), sorted."""
        names = ("birth_name", "first_birth_first_name", "birth_date_raw", "sex")
        names += ("birth_place_code", "used_name", "used_first_name", "birth_first_names")
        with engine_for(self.database_url).connect() as connection:
            rows = connection.execute(select(*(identities.c[n] for n in names)))
            return sorted((*row[:-1], tuple(row[-1])) for row in rows)

    @staticmethod
    def close() -> None:
        dispose_engines()


def write_csv(
    path: Path,
    rows: Iterable[Mapping[str, Any] | Sequence[str]],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> Path:
    """A CSV with the trait header; a mapping row is an identity, a sequence is raw cells."""
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(HEADER)
        for row in rows:
            writer.writerow(_cells(row) if isinstance(row, Mapping) else list(row))
    return path


def _cells(identity: Mapping[str, Any]) -> list[str]:
    cells = []
    for name in HEADER:
        value = identity.get(name)
        if isinstance(value, list | tuple):
            value = " ".join(value)
        cells.append("" if value is None else str(value))
    return cells


def synthetic_rows(count: int, *, seed: int = 2026) -> list[dict[str, Any]]:
    return list(synthetic_identities(count, seed=seed))


def report_rows(path: Path) -> list[list[str]]:
    """The rejects report without its header."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["ligne", "champ", "règle", "message"]
    return rows[1:]
