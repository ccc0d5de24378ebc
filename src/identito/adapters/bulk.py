"""Fast ``executemany`` inserts for bulk writes (imports, audit rows).

SQLAlchemy's generic per-row parameter handling costs more than the database's
own insert for thousands of rows. Here each column's bind processor (the public
``TypeEngine.bind_processor``) is looked up once per table and dialect, a row's
values are taken in one ``itemgetter`` call and only those with a processor are
converted; the DB-API ``executemany`` receives plain tuples through
``exec_driver_sql``, on the unit of work's connection and transaction. On
PostgreSQL, from ``COPY_FROM`` rows on, the tuples go through ``COPY ... FROM STDIN``
instead (psycopg's ``Cursor.copy``, same connection and transaction, triggers and
constraints as for an ``INSERT``): several times faster than the pipelined inserts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Dialect, Table
from sqlalchemy.exc import IntegrityError

Processor = Callable[[Any], Any] | None
#: From this many rows, PostgreSQL gets a ``COPY`` (below, one ``executemany``).
COPY_FROM = 64


@cache
def _statement(
    table: Table, dialect: Dialect
) -> tuple[str, Callable[[dict[str, Any]], tuple[Any, ...]], tuple[tuple[int, Processor], ...]]:
    """The INSERT, a getter of a row's values in column order (``itemgetter``: one C
    call) and the positions of the values that have a bind processor, with it."""
    quote = dialect.identifier_preparer.quote
    names = tuple(c.name for c in table.columns)
    processors = tuple(
        (index, processor)
        for index, column in enumerate(table.columns)
        if (processor := column.type.dialect_impl(dialect).bind_processor(dialect)) is not None
    )
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    values = ", ".join(marker for _ in names)
    sql = f"INSERT INTO {quote(table.name)} ({', '.join(map(quote, names))}) VALUES ({values})"
    getter = itemgetter(*names)
    if len(names) == 1:  # itemgetter of one name gives the value, not a tuple
        return sql, lambda row: (getter(row),), processors
    return sql, getter, processors


def insert_many(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts holding every column of ``table``) in one executemany."""
    if not rows:
        return
    _sql, values_of, processors = _statement(table, connection.dialect)
    params = []
    for row in rows:
        values = list(values_of(row))
        for index, process in processors:
            values[index] = process(values[index])  # type: ignore[misc]
        params.append(tuple(values))
    insert_values(connection, table, params)


@cache
def binder(table: Table, column: str, dialect: Dialect) -> Callable[[Any], Any]:
    """The bind processor of one column (the identity when it has none): to convert a
    value once when it repeats in many rows (``insert_values``)."""
    processor = table.c[column].type.dialect_impl(dialect).bind_processor(dialect)
    return processor if processor is not None else _same


def _same(value: Any) -> Any:
    return value


def insert_values(connection: Connection, table: Table, params: list[tuple[Any, ...]]) -> None:
    """Insert tuples already converted for the driver (``binder``), in column order:
    one executemany, or a ``COPY`` on PostgreSQL from ``COPY_FROM`` rows."""
    if not params:
        return
    if connection.dialect.name == "postgresql" and len(params) >= COPY_FROM:
        _copy(connection, table, params)
        return
    connection.exec_driver_sql(_statement(table, connection.dialect)[0], params)


def _copy(connection: Connection, table: Table, params: list[tuple[Any, ...]]) -> None:
    """``COPY`` the tuples; a constraint violation is SQLAlchemy's ``IntegrityError``, as
    for an ``INSERT`` (``repository._held_ins_refused`` relies on it)."""
    import psycopg

    quote = connection.dialect.identifier_preparer.quote
    names = ", ".join(quote(column.name) for column in table.columns)
    statement = f"COPY {quote(table.name)} ({names}) FROM STDIN"
    driver = connection.connection.driver_connection
    assert driver is not None
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in params:
                copy.write_row(row)
    except psycopg.IntegrityError as error:
        raise IntegrityError(statement, None, error) from error
