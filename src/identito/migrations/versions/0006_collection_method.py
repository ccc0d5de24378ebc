"""How the traits of an identity were collected at creation (FR Core method-collection).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07

``ins_collection_method`` says how the *matricule* was obtained (``INSI``) and is
cleared with it; ``collection_method`` says how the *traits* were collected when
the identity was created (``SM`` typed, ``CB`` read from an INS DataMatrix...) and
survives an invalidation. Identities created before this revision keep NULL:
their method was not recorded, and none is invented.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("identities", sa.Column("collection_method", sa.String(10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("identities") as batch:
        batch.drop_column("collection_method")
