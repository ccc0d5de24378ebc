"""Search keys without their index by identity (import throughput, issue 12).

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-05

``ix_identity_search_keys_identity_id`` was used only to delete the keys of an updated
identity, and it was the costliest index of the imports (a random identifier per key
row: every batch touched most of its pages). An update now finds the keys to delete by
kind and the stored birth date (``ix_identity_search_keys_dated``), then by identity.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_identity_search_keys_identity_id", table_name="identity_search_keys")


def downgrade() -> None:
    op.create_index("ix_identity_search_keys_identity_id", "identity_search_keys", ["identity_id"])
