"""The sender's own patient identifier (IPP, FHIR id) of each received message.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07

An update (ADT A08/A31, FHIR PUT) or an INS change (A47) names the patient by the
sender's identifier: the identity it concerns is the one the same sender's earlier
messages were integrated into. Messages received before this revision keep NULL.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("received_messages", sa.Column("patient_id", sa.String(200), nullable=True))
    op.create_index(
        "ix_received_messages_patient_id", "received_messages", ["patient_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_received_messages_patient_id", table_name="received_messages")
    with op.batch_alter_table("received_messages") as batch:
        batch.drop_column("patient_id")
