"""INSi: the trace of every call, worklists, and the INSi columns of identities.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29

``identities`` gains the collection method of the INS (FR Core code, ``INSI``) and
the INSHISTO of the last integrated answer, as received; existing rows keep NULL
(no INS was ever integrated from INSi before this revision).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc(name: str, *, nullable: bool) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _insi_calls() -> None:
    op.create_table(
        "insi_calls",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("attempt_id", sa.Uuid(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("identity_id", sa.Uuid(), nullable=True),
        sa.Column("identity_version", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        _utc("at", nullable=False),
        sa.Column("mode", sa.String(length=20), nullable=False),
        sa.Column("authentication", sa.String(length=40), nullable=False),
        sa.Column("automatic", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.String(length=5), nullable=False),
        sa.Column("error_code", sa.String(length=64), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("query", sa.JSON(), nullable=False),
        sa.Column("request_z", sa.LargeBinary(), nullable=True),
        sa.Column("response_z", sa.LargeBinary(), nullable=True),
        sa.Column("duration_ms", sa.Float(), nullable=True),
        sa.Column("answer", sa.JSON(), nullable=True),
        sa.Column("comparison", sa.JSON(), nullable=True),
        sa.Column("similarity", sa.Float(), nullable=True),
        sa.Column("applied", sa.Boolean(), nullable=False),
        sa.Column("decision", sa.String(length=12), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        _utc("decided_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_insi_calls"),
    )
    op.create_index("ix_insi_calls_attempt_id", "insi_calls", ["attempt_id"])
    op.create_index("ix_insi_calls_identity_id", "insi_calls", ["identity_id"])
    op.create_index("ix_insi_calls_at", "insi_calls", ["at"])


def _worklists() -> None:
    op.create_table(
        "insi_worklists",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        _utc("created_at", nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        _utc("finished_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_insi_worklists"),
    )
    op.create_index("ix_insi_worklists_source", "insi_worklists", ["source"])
    op.create_table(
        "insi_worklist_items",
        sa.Column("worklist_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("identity_id", sa.Uuid(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("outcome", sa.String(length=5), nullable=True),
        sa.Column("applied", sa.Boolean(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        _utc("started_at", nullable=True),
        _utc("processed_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["worklist_id"],
            ["insi_worklists.id"],
            name="fk_insi_worklist_items_worklist_id_insi_worklists",
        ),
        sa.PrimaryKeyConstraint("worklist_id", "position", name="pk_insi_worklist_items"),
    )


def upgrade() -> None:
    op.add_column("identities", sa.Column("ins_collection_method", sa.String(10), nullable=True))
    op.add_column("identities", sa.Column("insi_history", sa.JSON(), nullable=True))
    _insi_calls()
    _worklists()


def downgrade() -> None:
    op.drop_table("insi_worklist_items")
    op.drop_table("insi_worklists")
    op.drop_table("insi_calls")
    with op.batch_alter_table("identities") as batch:
        batch.drop_column("insi_history")
        batch.drop_column("ins_collection_method")
