"""What reception reads and keeps of an identity (issue 11).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04

* ``identities.birth_date_corrected``: the "date de naissance corrigée" indicator
  (HL7 ZFD-4, FR Core ``birthdate-update-indicator``); a corrected date is uncertain:
  no RECUP/QUAL, the matricule is never diffused (R-TR-11, R-TR-12);
* ``identities.received_from_other_domain``: created from a message of another
  identification domain (PAM FR table 0445 ``RECD``).

Existing identities get ``false`` for both (nothing said otherwise before).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("birth_date_corrected", "received_from_other_domain")


def upgrade() -> None:
    for name in COLUMNS:
        op.add_column(
            "identities",
            sa.Column(name, sa.Boolean(), nullable=False, server_default=sa.false()),
        )


def downgrade() -> None:
    with op.batch_alter_table("identities") as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
