"""Interface accounts: the declared senders of HL7 v2 and FHIR messages (issue 13).

Revision ID: 0020
Revises: 0021
Create Date: 2026-12-05

``interface_accounts``: one row per declared sender, keyed by its user (role
``interface``): the identification domains it may claim (``APP^FACILITY`` patterns,
JSON), its MLLP source addresses (CIDR, JSON) and/or its TLS client certificate
(SHA-256 fingerprint or subject), whether it is active, who changed it last.

Existing MLLP senders are not declared by this migration (nothing tells which
addresses they use): until they are (``identito senders add``), their messages are
refused, unless ``IDENTITO_MLLP_REQUIRE_DECLARED_SENDERS=false`` (docs/verification.md).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "interface_accounts",
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("domains", sa.JSON(), nullable=False),
        sa.Column("addresses", sa.JSON(), nullable=False),
        sa.Column("certificate_sha256", sa.String(64), nullable=True),
        sa.Column("certificate_subject", sa.String(500), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.String(200), nullable=False),
        sa.ForeignKeyConstraint(
            ["username"], ["users.username"], name=op.f("fk_interface_accounts_username_users")
        ),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_interface_accounts")),
    )


def downgrade() -> None:
    op.drop_table("interface_accounts")
