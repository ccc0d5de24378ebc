"""INS verification: campaigns and their items, identity-vigilance worklists,
received messages, the date of the last verification, scheduler leases.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06

Identities verified before this revision have no ``ins_verifications`` row: the
"not verified for N years" perimeter then falls back on the INS recovery date.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc(name: str, *, nullable: bool) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _campaigns() -> None:
    op.create_table(
        "verification_campaigns",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("perimeter", sa.String(length=10), nullable=False),
        sa.Column("years", sa.Integer(), nullable=False),
        sa.Column("query", sa.String(length=40), nullable=True),
        sa.Column("frequency_days", sa.Integer(), nullable=True),
        sa.Column("batch_size", sa.Integer(), nullable=False),
        sa.Column("use_batch", sa.Boolean(), nullable=False),
        sa.Column("unit_rate", sa.Float(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        _utc("created_at", nullable=False),
        _utc("next_run_at", nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_verification_campaigns"),
    )
    op.create_index(
        "ix_verification_campaigns_next_run_at", "verification_campaigns", ["next_run_at"]
    )
    op.create_table(
        "verification_runs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("started_by", sa.String(length=200), nullable=False),
        _utc("started_at", nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        _utc("finished_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["verification_campaigns.id"],
            name="fk_verification_runs_campaign_id_verification_campaigns",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_verification_runs"),
    )
    op.create_index(
        "ix_verification_runs_campaign", "verification_runs", ["campaign_id", "started_at"]
    )
    op.create_table(
        "verification_items",
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("identity_id", sa.Uuid(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("ins_number", sa.String(length=15), nullable=True),
        sa.Column("batch_id", sa.String(length=64), nullable=True),
        sa.Column("result", sa.String(length=8), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        _utc("processed_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["verification_runs.id"],
            name="fk_verification_items_run_id_verification_runs",
        ),
        sa.PrimaryKeyConstraint("run_id", "position", name="pk_verification_items"),
    )
    op.create_index(
        "ix_verification_items_state", "verification_items", ["run_id", "state", "position"]
    )
    op.create_index("ix_verification_items_batch", "verification_items", ["run_id", "batch_id"])


def _vigilance_and_reception() -> None:
    op.create_table(
        "vigilance_entries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        _utc("created_at", nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("identity_id", sa.Uuid(), nullable=True),
        sa.Column("message_id", sa.Uuid(), nullable=True),
        _utc("resolved_at", nullable=True),
        sa.Column("resolved_by", sa.String(length=200), nullable=True),
        sa.Column("decision", sa.String(length=30), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_vigilance_entries"),
    )
    op.create_index("ix_vigilance_entries_identity_id", "vigilance_entries", ["identity_id"])
    op.create_index(
        "ix_vigilance_entries_open", "vigilance_entries", ["kind", "resolved_at", "created_at"]
    )
    op.create_table(
        "received_messages",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        _utc("received_at", nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=30), nullable=False),
        sa.Column("sender_application", sa.String(length=200), nullable=True),
        sa.Column("sender_facility", sa.String(length=200), nullable=True),
        sa.Column("event", sa.String(length=20), nullable=True),
        sa.Column("control_id", sa.String(length=200), nullable=True),
        sa.Column("own_domain", sa.Boolean(), nullable=False),
        sa.Column("identity_id", sa.Uuid(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_received_messages"),
    )
    op.create_index("ix_received_messages_received_at", "received_messages", ["received_at"])
    op.create_index("ix_received_messages_identity_id", "received_messages", ["identity_id"])


def upgrade() -> None:
    op.create_table(
        "ins_verifications",
        sa.Column("identity_id", sa.Uuid(), nullable=False),
        _utc("verified_at", nullable=False),
        sa.PrimaryKeyConstraint("identity_id", name="pk_ins_verifications"),
    )
    op.create_index("ix_ins_verifications_verified_at", "ins_verifications", ["verified_at"])
    _campaigns()
    _vigilance_and_reception()
    op.create_table(
        "scheduler_leases",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=False),
        _utc("expires_at", nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_scheduler_leases"),
    )


def downgrade() -> None:
    for table in (
        "scheduler_leases",
        "received_messages",
        "vigilance_entries",
        "verification_items",
        "verification_runs",
        "verification_campaigns",
        "ins_verifications",
    ):
        op.drop_table(table)
