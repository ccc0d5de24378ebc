"""The billing NSS beside the INS, and the former matricules diffused (issue 17).

Revision ID: 0025
Revises: 0020
Create Date: 2026-12-05

* ``identities.nss_number`` / ``nss_oid`` / ``nss_holder``: the social-security
  number used for billing (NIR or NIA, OID ``…4.13`` / ``…4.14``), the patient's or
  the ouvrant droit's; never the INS (R-TR-20), searched exactly (R-AS-04, indexed);
* ``ins_history.replaced``: the former matricule was replaced by a newer one of the
  same person from INSi or the own domain, so it is diffused as a former matricule
  (FHIR ``use: old``, R-MO-05). Existing rows stay ``false``: their reason alone cannot
  tell a confirmed matricule replaced from a typed one corrected by INSi, and a
  matricule that may be another person's is never diffused (INSi's INSHISTO, kept
  with the identity, still gives the national list of former matricules).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("identities", sa.Column("nss_number", sa.String(15)))
    op.add_column("identities", sa.Column("nss_oid", sa.String(64)))
    op.add_column("identities", sa.Column("nss_holder", sa.String(16)))
    op.create_index("ix_identities_nss_number", "identities", ["nss_number"])
    op.add_column(
        "ins_history",
        sa.Column("replaced", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    with op.batch_alter_table("ins_history") as batch:
        batch.drop_column("replaced")
    op.drop_index("ix_identities_nss_number", table_name="identities")
    with op.batch_alter_table("identities") as batch:
        for name in ("nss_holder", "nss_oid", "nss_number"):
            batch.drop_column(name)
