"""Duplicate detection keys (issue 7): phonetic name columns and the estimated model.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29

``birth_name_phonetic`` and ``used_name_phonetic`` hold the French phonetic key
of each name (``identito.domain.phonetic``), indexed with the birth date so that
the check at creation finds, within a birth year, names that sound alike (a typo
in the first letters, a birth name entered as used name). Existing rows are
backfilled here with the domain's function, by batches of ids. ``duplicate_model``
(one row) and ``duplicate_frequencies`` hold what ``identito duplicates estimate``
computes on the base.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from identito.domain.phonetic import phonetic_key
from identito.domain.traits import search_key

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 10_000


def _phonetic(name: str | None) -> str | None:
    return (phonetic_key(search_key(name)) or None) if name else None


def _backfill() -> None:
    table = sa.table(
        "identities",
        sa.column("id", sa.Uuid()),
        sa.column("birth_name", sa.String()),
        sa.column("used_name", sa.String()),
        sa.column("birth_name_phonetic", sa.String()),
        sa.column("used_name_phonetic", sa.String()),
    )
    connection = op.get_bind()
    last = None
    while True:
        query = sa.select(table.c.id, table.c.birth_name, table.c.used_name).order_by(table.c.id)
        if last is not None:
            query = query.where(table.c.id > last)
        rows = connection.execute(query.limit(BATCH)).all()
        if not rows:
            return
        update = (
            sa.update(table)
            .where(table.c.id == sa.bindparam("row_id"))
            .values(
                birth_name_phonetic=sa.bindparam("birth"), used_name_phonetic=sa.bindparam("used")
            )
        )
        connection.execute(
            update,
            [{"row_id": r.id, "birth": _phonetic(r.birth_name), "used": _phonetic(r.used_name)}
             for r in rows],
        )  # fmt: skip
        last = rows[-1].id


def upgrade() -> None:
    op.add_column("identities", sa.Column("birth_name_phonetic", sa.String(100), nullable=True))
    op.add_column("identities", sa.Column("used_name_phonetic", sa.String(100), nullable=True))
    _backfill()
    op.create_index(
        "ix_identities_birth_name_phonetic", "identities", ["birth_name_phonetic", "birth_date"]
    )
    op.create_index(
        "ix_identities_used_name_phonetic", "identities", ["used_name_phonetic", "birth_date"]
    )
    op.create_table(
        "duplicate_model",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("estimated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_duplicate_model"),
    )
    op.create_table(
        "duplicate_frequencies",
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("share", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "key", name="pk_duplicate_frequencies"),
    )


def downgrade() -> None:
    op.drop_table("duplicate_frequencies")
    op.drop_table("duplicate_model")
    op.drop_index("ix_identities_used_name_phonetic", table_name="identities")
    op.drop_index("ix_identities_birth_name_phonetic", table_name="identities")
    with op.batch_alter_table("identities") as batch:
        batch.drop_column("used_name_phonetic")
        batch.drop_column("birth_name_phonetic")
