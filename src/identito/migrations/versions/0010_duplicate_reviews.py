"""Duplicate review worklist and decisions, collisions (issue 7).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29

``duplicate_reviews`` holds one row per pair of identities (``first_id <
second_id``, unique) found by the batch scan or at a creation or change: score,
blocking flag, explanation, status and the decision (who, when, note, and the
fingerprint of both identities' traits for a remembered "not a duplicate").
``identities.collision`` is COLP / COLV while a record holds two persons.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc(name: str, *, nullable: bool) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.add_column("identities", sa.Column("collision", sa.String(length=4), nullable=True))
    op.create_index("ix_identities_collision", "identities", ["collision"])
    op.create_table(
        "duplicate_reviews",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("first_id", sa.Uuid(), nullable=False),
        sa.Column("second_id", sa.Uuid(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("blocking", sa.Boolean(), nullable=False),
        sa.Column("explanation", sa.JSON(), nullable=False),
        _utc("found_at", nullable=False),
        _utc("scored_at", nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        _utc("decided_at", nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("fingerprint", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["first_id"], ["identities.id"], name="fk_duplicate_reviews_first_id_identities"
        ),
        sa.ForeignKeyConstraint(
            ["second_id"], ["identities.id"], name="fk_duplicate_reviews_second_id_identities"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_duplicate_reviews"),
        sa.UniqueConstraint("first_id", "second_id", name="uq_duplicate_reviews_pair"),
    )
    op.create_index("ix_duplicate_reviews_second_id", "duplicate_reviews", ["second_id"])
    op.create_index(
        "ix_duplicate_reviews_worklist", "duplicate_reviews", ["status", "blocking", "score"]
    )


def downgrade() -> None:
    op.drop_index("ix_duplicate_reviews_worklist", table_name="duplicate_reviews")
    op.drop_index("ix_duplicate_reviews_second_id", table_name="duplicate_reviews")
    op.drop_table("duplicate_reviews")
    op.drop_index("ix_identities_collision", table_name="identities")
    with op.batch_alter_table("identities") as batch:
        batch.drop_column("collision")
