"""The modifying entity a received message names (HL7 PID-34, R-LK-03).

Revision ID: 0028
Revises: 0026
Create Date: 2026-12-05

In a hospital group (GHT), ``PID-34`` *Last Update Facility* (IHE PAM §6.6.16) names
the entity that last changed the identity: its name (HD-1) and FINESS (HD-2). Both
are kept beside the received message; messages received before keep NULL.

``identities.linked_in_other_domain``: the identity was linked (rapprochée) with a
patient of another identification domain (PAM FR table 0445 ``IDRA``, R-LK-02);
identities before this revision are not marked (their links cannot tell a creation
from a rapprochement).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # ADD COLUMN, not a batch copy: SQLite would recreate ``identities`` under its
    # foreign keys; migration 0013 adds its marks the same way.
    op.add_column(
        "identities",
        sa.Column(
            "linked_in_other_domain", sa.Boolean(), nullable=False, server_default=sa.false()
        ),
    )
    op.add_column(
        "received_messages", sa.Column("modifying_entity_name", sa.String(200), nullable=True)
    )
    op.add_column(
        "received_messages", sa.Column("modifying_entity_finess", sa.String(9), nullable=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("received_messages") as batch:
        batch.drop_column("modifying_entity_finess")
        batch.drop_column("modifying_entity_name")
    with op.batch_alter_table("identities") as batch:
        batch.drop_column("linked_in_other_domain")
