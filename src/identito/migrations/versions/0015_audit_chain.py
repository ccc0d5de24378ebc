"""A tamper-evident audit trail (issue 12, point 4).

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-04

* ``audit_log.chain``, ``seq``, ``prev_hash``, ``hash``: each row is linked to the
  previous row of its chain (``adapters.audit_chain``); ``(chain, seq)`` is unique;
* ``audit_chain_heads``: the last ``seq`` and hash of each chain;
* the rows stored before are chained in the order they were written (``at``,
  ``position``), then triggers refuse any ``UPDATE`` or ``DELETE`` of a chained row
  and any ``DELETE`` or backwards move of a head, on SQLite and PostgreSQL (a row
  not chained yet may still receive its links: a later migration that inserts audit
  rows chains them with ``adapters.audit_chain.chain_existing``).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from identito.adapters.audit_chain import CHAINS, CONTENT, GENESIS, chain_existing
from identito.adapters.orm import audit_chain_heads, audit_log

revision: str = "0015"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5000
REFUSED = "identito: the audit trail is append-only"

SQLITE_TRIGGERS = {
    "audit_log_no_update": "BEFORE UPDATE ON audit_log WHEN OLD.hash IS NOT NULL",
    "audit_log_no_delete": "BEFORE DELETE ON audit_log",
    "audit_chain_heads_no_delete": "BEFORE DELETE ON audit_chain_heads",
    "audit_chain_heads_forward": (
        "BEFORE UPDATE ON audit_chain_heads WHEN NEW.seq < OLD.seq OR NEW.chain <> OLD.chain"
    ),
}

POSTGRES_FUNCTIONS = {
    "audit_log_append_only": "IF TG_OP = 'UPDATE' AND OLD.hash IS NULL THEN RETURN NEW; END IF;",
    "audit_chain_heads_forward": (
        "IF TG_OP = 'UPDATE' AND NEW.seq >= OLD.seq AND NEW.chain = OLD.chain "
        "THEN RETURN NEW; END IF;"
    ),
}
POSTGRES_TRIGGERS = {
    "audit_log_append_only": "BEFORE UPDATE OR DELETE ON audit_log",
    "audit_chain_heads_forward": "BEFORE UPDATE OR DELETE ON audit_chain_heads",
}


def upgrade() -> None:
    op.add_column("audit_log", sa.Column("chain", sa.SmallInteger(), nullable=True))
    op.add_column("audit_log", sa.Column("seq", sa.BigInteger(), nullable=True))
    op.add_column("audit_log", sa.Column("prev_hash", sa.String(length=64), nullable=True))
    op.add_column("audit_log", sa.Column("hash", sa.String(length=64), nullable=True))
    op.create_index("ux_audit_log_chain_seq", "audit_log", ["chain", "seq"], unique=True)
    op.create_table(
        "audit_chain_heads",
        sa.Column("chain", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("chain", name=op.f("pk_audit_chain_heads")),
    )
    _chain_stored_rows()
    _seed_heads()
    if op.get_bind().dialect.name == "postgresql":
        _postgres_triggers()
    else:
        _sqlite_triggers()


def _chain_stored_rows() -> None:
    """Chain the rows written before this revision, oldest first, by batches."""
    connection = op.get_bind()
    t = audit_log.c
    ids = connection.execute(sa.select(t.id).order_by(t.at, t.position, t.id)).scalars().all()
    columns = [t[name] for name in CONTENT]
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        found = connection.execute(sa.select(*columns).where(t.id.in_(batch))).mappings()
        by_id = {row["id"]: row for row in found}
        chain_existing(connection, [by_id[i] for i in batch])


def _seed_heads() -> None:
    """A head for every chain still without one (writers then never rebuild one)."""
    connection = op.get_bind()
    present = set(connection.execute(sa.select(audit_chain_heads.c.chain)).scalars())
    missing = [
        {"chain": chain, "seq": 0, "hash": GENESIS}
        for chain in range(CHAINS)
        if chain not in present
    ]
    if missing:
        connection.execute(sa.insert(audit_chain_heads), missing)


def _sqlite_triggers() -> None:
    for name, when in SQLITE_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {when} BEGIN SELECT RAISE(ABORT, '{REFUSED}'); END")


def _postgres_triggers() -> None:
    for name, allowed in POSTGRES_FUNCTIONS.items():
        op.execute(
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {allowed} "
            f"RAISE EXCEPTION '{REFUSED} (% on %)', TG_OP, TG_TABLE_NAME "
            "USING ERRCODE = 'insufficient_privilege'; END $$"
        )
    for name, when in POSTGRES_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {when} FOR EACH ROW EXECUTE FUNCTION {name}()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, table in (("audit_log_append_only", "audit_log"),
                            ("audit_chain_heads_forward", "audit_chain_heads")):  # fmt: skip
            op.execute(f"DROP TRIGGER {name} ON {table}")
            op.execute(f"DROP FUNCTION {name}()")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table("audit_chain_heads")
    op.drop_index("ux_audit_log_chain_seq", table_name="audit_log")
    with op.batch_alter_table("audit_log") as batch:
        for name in ("hash", "prev_hash", "seq", "chain"):
            batch.drop_column(name)
