"""Login throttling (issue 13): failed logins per account and per source address.

Revision ID: 0021
Revises: 0024
Create Date: 2026-12-04

``login_throttles``: one row per throttled key, ``kind`` ``account`` (the username as
typed, known or not) or ``address`` (the client address), its recent failures, the
time of the last one and the end of its lock. Shared by every ``identito serve``
process; read by ``domain.login_throttle``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "login_throttles",
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", UTC_DATETIME, nullable=True),
        sa.Column("locked_until", UTC_DATETIME, nullable=True),
        sa.PrimaryKeyConstraint("kind", "key", name=op.f("pk_login_throttles")),
    )
    op.create_index(
        op.f("ix_login_throttles_last_failure_at"), "login_throttles", ["last_failure_at"]
    )
    op.create_index(op.f("ix_login_throttles_locked_until"), "login_throttles", ["locked_until"])


def downgrade() -> None:
    op.drop_index(op.f("ix_login_throttles_locked_until"), table_name="login_throttles")
    op.drop_index(op.f("ix_login_throttles_last_failure_at"), table_name="login_throttles")
    op.drop_table("login_throttles")
