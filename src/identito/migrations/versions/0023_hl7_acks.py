"""The acknowledgement of each received HL7 v2 message, kept to answer its copies (issue 12).

Revision ID: 0023
Revises: 0019
Create Date: 2026-12-04

A sender that gets no ACK (lost connection, timeout) sends the message again with
the same control id (MSH-10). ``hl7_acks`` keeps, per sender and control id, the
digest of the message and the ACK answered: a copy (same sender, same control id,
same bytes) received within ``hl7_ack_replay_hours`` gets that same ACK and changes
nothing (``services.reception_acks``). The primary key makes sixteen copies received
at once keep one ACK, which all of them answer.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hl7_acks",
        sa.Column("sender", sa.String(401), primary_key=True),
        sa.Column("control_id", sa.String(200), primary_key=True),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("code", sa.String(2), nullable=False),
        sa.Column("ack", sa.Text(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("hl7_acks")
