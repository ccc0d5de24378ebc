"""Initial schema: identities, INS history, audit log, outbox, users and API tokens.

Revision ID: 0001
Revises:
Create Date: 2026-01-01

Written out explicitly (no import of the application's tables): a migration is a
frozen picture of the schema at its revision. ``UtcDateTime`` is stored as
``DateTime(timezone=True)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc(name: str, *, nullable: bool) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _identities() -> None:
    op.create_table(
        "identities",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=5), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("birth_name", sa.String(length=200), nullable=False),
        sa.Column("birth_first_names", sa.JSON(), nullable=False),
        sa.Column("first_birth_first_name", sa.String(length=200), nullable=False),
        sa.Column("birth_date_raw", sa.String(length=10), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("birth_date_uncertain", sa.Boolean(), nullable=False),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("birth_place_code", sa.String(length=5), nullable=False),
        sa.Column("used_name", sa.String(length=200), nullable=True),
        sa.Column("used_first_name", sa.String(length=200), nullable=True),
        sa.Column("ins_number", sa.String(length=15), nullable=True),
        sa.Column("ins_oid", sa.String(length=64), nullable=True),
        _utc("ins_retrieved_at", nullable=True),
        sa.Column("document_type", sa.String(length=10), nullable=True),
        sa.Column("document_expiry", sa.Date(), nullable=True),
        _utc("validated_at", nullable=True),
        sa.Column("validated_by", sa.String(length=200), nullable=True),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("name_keys", sa.Text(), nullable=False),
        sa.Column("first_name_keys", sa.Text(), nullable=False),
        _utc("created_at", nullable=False),
        _utc("updated_at", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_identities"),
    )
    op.create_index("ix_identities_birth_date_sex", "identities", ["birth_date", "sex"])
    op.create_index("ix_identities_ins_number", "identities", ["ins_number"])
    op.create_table(
        "ins_history",
        sa.Column("identity_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=15), nullable=False),
        sa.Column("oid", sa.String(length=64), nullable=False),
        _utc("ended_at", nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["identity_id"], ["identities.id"], name="fk_ins_history_identity_id_identities"
        ),
        sa.PrimaryKeyConstraint("identity_id", "position", name="pk_ins_history"),
    )
    op.create_index("ix_ins_history_number", "ins_history", ["number"])


def _audit() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Uuid(), nullable=False),
        _utc("at", nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("identity_id", sa.Uuid(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_identity_id", "audit_log", ["identity_id"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("identity_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        _utc("created_at", nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        _utc("sent_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
    )
    op.create_index("ix_outbox_sent_at", "outbox", ["sent_at"])


def _users() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("password_hash", sa.String(length=300), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        _utc("created_at", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("username", name="uq_users_username"),
    )
    op.create_table(
        "api_tokens",
        sa.Column("token_hash", sa.String(length=128), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        _utc("expires_at", nullable=False),
        sa.ForeignKeyConstraint(
            ["username"], ["users.username"], name="fk_api_tokens_username_users"
        ),
        sa.PrimaryKeyConstraint("token_hash", name="pk_api_tokens"),
    )
    op.create_index("ix_api_tokens_username", "api_tokens", ["username"])


def upgrade() -> None:
    _identities()
    _audit()
    _users()


def downgrade() -> None:
    for table in ("api_tokens", "users", "outbox", "audit_log", "ins_history", "identities"):
        op.drop_table(table)
