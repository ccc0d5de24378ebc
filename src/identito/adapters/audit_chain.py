"""Hash chains of the audit trail: every audit row is linked to the one before it.

Rows are spread over ``CHAINS`` chains (``chain_of``: by identity, rows without an
identity on chain 0), so that writers touching different identities rarely wait for
each other; within a chain, ``seq`` counts from 1 and each row stores the hash of the
previous row (``prev_hash``) and its own (``hash``, SHA-256 of its content and
``prev_hash``, ``row_digest``). ``audit_chain_heads`` holds the last ``seq`` and hash
of each chain: a writer locks the heads of the chains it appends to (an ``UPDATE``
first, so SQLite takes its write lock at once and PostgreSQL a row lock held until
commit), in ascending order, so two writers never deadlock.

Altering a row breaks its own hash; deleting one leaves a hole in ``seq`` or a
``prev_hash`` that no longer matches; deleting the last rows leaves the heads ahead of
the table. Someone able to rewrite a whole chain and its head (the hash has no key)
is caught only by an anchor kept elsewhere (``identito audit anchor``).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Generator, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any
from uuid import UUID

import orjson
from sqlalchemy import Connection, RowMapping, bindparam, select, update

from identito.adapters.orm import audit_chain_heads, audit_log

#: Number of chains; rows of one identity always go to the same chain.
CHAINS = 16
#: ``prev_hash`` of the first row of a chain.
GENESIS = "0" * 64
#: Version of the hashed layout (part of the hashed bytes).
LAYOUT = "identito-audit-v1"
#: Columns whose values make a row's hash (with ``chain``, ``seq`` and ``prev_hash``).
CONTENT = ("id", "at", "position", "actor", "action", "identity_id", "before", "after",
           "reason", "details")  # fmt: skip


#: The columns a writer fills to link a row.
LINKS = ("chain", "seq", "prev_hash", "hash")


def chain_of(identity_id: UUID | None) -> int:
    return 0 if identity_id is None else identity_id.int % CHAINS


def row_digest(row: Mapping[str, Any], prev_hash: str) -> str:
    """SHA-256 of a row's content as the database gives it back.

    JSON columns are serialised by orjson, as the engine stores them, and read back
    key order included, so the digest of the written values and of the read ones agree.
    """
    at: datetime = row["at"]
    values = [LAYOUT, row["chain"], row["seq"], prev_hash, at.astimezone(UTC)]
    values += [row[name] for name in CONTENT if name != "at"]
    return hashlib.sha256(orjson.dumps(values)).hexdigest()


def chain_rows(connection: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Give ``rows`` (audit rows about to be inserted) their chain, seq and hashes,
    and move the heads of their chains, on the writer's connection and transaction."""
    by_chain: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_chain[chain_of(row["identity_id"])].append(row)
    take, move, _ = _statements(connection.dialect.paramstyle)
    driver = connection.connection.driver_connection  # same transaction, no SQLAlchemy
    for chain in sorted(by_chain):
        members = by_chain[chain]
        seq, prev = _take_head(connection, take, chain, len(members))
        for row in members:
            seq += 1
            row["chain"], row["seq"], row["prev_hash"] = chain, seq, prev
            row["hash"] = prev = row_digest(row, prev)
        driver.execute(move, (prev, chain))


@cache
def _statements(paramstyle: str) -> tuple[str, str, str]:
    """The statements on a head, as plain SQL run by the driver on the writer's
    connection (same transaction): two per chain and commit, they are worth sparing
    SQLAlchemy's per-statement work, which a single creation would pay twice."""
    m = "?" if paramstyle == "qmark" else "%s"
    take = f"UPDATE audit_chain_heads SET seq = seq + {m} WHERE chain = {m} RETURNING seq, hash"
    move = f"UPDATE audit_chain_heads SET hash = {m} WHERE chain = {m}"
    create = (
        f"INSERT INTO audit_chain_heads (chain, seq, hash) VALUES ({m}, {m}, {m}) "
        "ON CONFLICT (chain) DO NOTHING"
    )
    return take, move, create


def _take_head(connection: Connection, take: str, chain: int, count: int) -> tuple[int, str]:
    """Lock the head of ``chain`` and reserve ``count`` numbers; return the seq and
    hash of its last row. A missing head is rebuilt from the chain's last row."""
    driver = connection.connection.driver_connection
    found = driver.execute(take, (count, chain)).fetchone()
    if found is None:  # concurrent writers may both get here: one creates it
        seq, last = _last_row(connection, chain)
        driver.execute(_statements(connection.dialect.paramstyle)[2], (chain, seq, last))
        found = driver.execute(take, (count, chain)).fetchone()
    return found[0] - count, found[1]


def _last_row(connection: Connection, chain: int) -> tuple[int, str]:
    t = audit_log.c
    query = select(t.seq, t.hash).where(t.chain == chain).order_by(t.seq.desc()).limit(1)
    row = connection.execute(query).first()
    return (row.seq, row.hash) if row else (0, GENESIS)


def heads(connection: Connection) -> dict[int, tuple[int, str]]:
    """The head (last seq, last hash) of every chain that has one."""
    query = select(audit_chain_heads).order_by(audit_chain_heads.c.chain)
    return {row.chain: (row.seq, row.hash) for row in connection.execute(query)}


def chain_members(connection: Connection, chain: int) -> Generator[RowMapping, None, None]:
    """The rows of one chain in ``seq`` order, streamed."""
    query = select(audit_log).where(audit_log.c.chain == chain).order_by(audit_log.c.seq)
    result = connection.execution_options(yield_per=2000).execute(query)
    try:
        yield from result.mappings()
    finally:
        result.close()  # a walk that stops at the first problem leaves rows unread


def unchained(connection: Connection, limit: int) -> list[RowMapping]:
    """Rows that no writer of identito chained (inserted by hand), oldest first."""
    t = audit_log.c
    query = select(audit_log).where(t.chain.is_(None)).order_by(t.at, t.position).limit(limit)
    return list(connection.execute(query).mappings())


def row_is_intact(row: Mapping[str, Any]) -> bool:
    """Does a row still match its own hash (without reading its chain)?"""
    if row["hash"] is None or row["prev_hash"] is None:
        return False
    return row_digest(row, row["prev_hash"]) == row["hash"]


def chain_existing(connection: Connection, rows: Iterable[Mapping[str, Any]]) -> int:
    """Chain rows already stored without a chain (migration 0015 and rows a later
    migration inserts), in the order given; return how many."""
    pending = [dict(row) for row in rows]
    for start in range(0, len(pending), 5000):
        batch = pending[start : start + 5000]
        chain_rows(connection, batch)
        connection.execute(
            update(audit_log)
            .where(audit_log.c.id == bindparam("b_id"))
            .values({name: bindparam(f"b_{name}") for name in LINKS}),
            [{f"b_{name}": r[name] for name in ("id", *LINKS)} for r in batch],
        )
    return len(pending)
