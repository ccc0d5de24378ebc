"""Web application: sessions in the database, monthly counters of the indicators.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29

``indicator_counts`` holds the net monthly changes of the counts of identities by
status and attribute (see ``services/indicators.py``). Identities that exist before
this revision are counted once, in the month of their creation, with their current
status and attributes (their earlier history is not reconstructed).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc(name: str, *, nullable: bool) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        _utc("created_at", nullable=False),
        _utc("last_seen_at", nullable=False),
        sa.ForeignKeyConstraint(
            ["username"], ["users.username"], name="fk_web_sessions_username_users"
        ),
        sa.PrimaryKeyConstraint("token_hash", name="pk_web_sessions"),
    )
    op.create_index("ix_web_sessions_username", "web_sessions", ["username"])
    op.create_index("ix_web_sessions_last_seen_at", "web_sessions", ["last_seen_at"])
    counts = op.create_table(
        "indicator_counts",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("dimension", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=16), nullable=False),
        sa.Column("delta", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("month", "dimension", "value", name="pk_indicator_counts"),
    )
    _backfill(counts)


def _month(created_at: object) -> str:
    if isinstance(created_at, datetime):
        if created_at.tzinfo is not None:
            created_at = created_at.astimezone(UTC)
        return created_at.strftime("%Y-%m")
    return str(created_at)[:7]


def _backfill(counts: sa.Table) -> None:
    identities = sa.table(
        "identities",
        sa.column("status", sa.String),
        sa.column("attributes", sa.JSON),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    totals: Counter[tuple[str, str, str]] = Counter()
    query = sa.select(identities.c.status, identities.c.attributes, identities.c.created_at)
    # A statement option: set on the connection it would stream Alembic's own statements.
    result = op.get_bind().execute(query.execution_options(yield_per=10_000))
    for status, attributes, created_at in result:
        month = _month(created_at)
        totals[(month, "status", status)] += 1
        for attribute in attributes or ():
            totals[(month, "attribute", attribute)] += 1
    rows = [{"month": m, "dimension": d, "value": v, "delta": n} for (m, d, v), n in totals.items()]
    if rows:
        op.bulk_insert(counts, rows)


def downgrade() -> None:
    op.drop_table("indicator_counts")
    op.drop_table("web_sessions")
