"""Merge and unmerge (issue 7): inactive identities and the merge records.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-14

A merged identity stays, inactive (``active`` false), naming its survivor in
``merged_into``. Each merge keeps the snapshot of the merged identity taken
just before, so it can be undone exactly. Existing identities are active.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "identities", sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true())
    )
    op.add_column("identities", sa.Column("merged_into", sa.Uuid(), nullable=True))
    op.create_table(
        "merges",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("survivor_id", sa.Uuid(), nullable=False),
        sa.Column("merged_id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("undone_by", sa.String(200), nullable=True),
        sa.ForeignKeyConstraint(
            ["survivor_id"], ["identities.id"], name="fk_merges_survivor_id_identities"
        ),
        sa.ForeignKeyConstraint(
            ["merged_id"], ["identities.id"], name="fk_merges_merged_id_identities"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_merges"),
    )
    op.create_index("ix_merges_survivor_id", "merges", ["survivor_id"], unique=False)
    op.create_index("ix_merges_merged_id", "merges", ["merged_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_merges_merged_id", table_name="merges")
    op.drop_index("ix_merges_survivor_id", table_name="merges")
    op.drop_table("merges")
    with op.batch_alter_table("identities") as batch:
        batch.drop_column("merged_into")
        batch.drop_column("active")
