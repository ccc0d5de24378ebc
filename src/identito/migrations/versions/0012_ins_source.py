"""Where the held matricule comes from, and whether it is confirmed (issue 11).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04

``identities.ins_source`` says who gave the matricule (``INSI``, ``DOMAIN`` for a
qualified reception of the own identification domain, ``SM`` typed by hand) and
``identities.ins_confirmed`` whether it makes the identity RECUP/QUAL
(``domain.ins_source``). Before this revision every stored matricule came from INSi
(``ins_collection_method = 'INSI'``) or from an own-domain reception (no method):
rows are mapped so. A matricule is confirmed unless the birth date is uncertain or
the sex is not M/F (R-TR-11, R-TR-12, R-TR-14): those identities, RECUP or QUAL by
the former rule, become PROV or VALI, with an audit row each.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTOR = "migration 0012"
REASON = (
    "Date de naissance incertaine ou sexe indéterminé : le matricule INS est conservé mais "
    "ne rend plus l'identité récupérée ou qualifiée (R-TR-11, R-TR-12, R-TR-14)."
)
DOWNGRADE = {"RECUP": "PROV", "QUAL": "VALI"}

identities = sa.table(
    "identities",
    sa.column("id", sa.Uuid()),
    sa.column("status", sa.String()),
    sa.column("ins_number", sa.String()),
    sa.column("ins_collection_method", sa.String()),
    sa.column("birth_date_uncertain", sa.Boolean()),
    sa.column("sex", sa.String()),
    sa.column("ins_source", sa.String()),
    sa.column("ins_confirmed", sa.Boolean()),
)
audit_log = sa.table(
    "audit_log",
    sa.column("id", sa.Uuid()),
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("position", sa.Integer()),
    sa.column("actor", sa.String()),
    sa.column("action", sa.String()),
    sa.column("identity_id", sa.Uuid()),
    sa.column("before", sa.JSON()),
    sa.column("after", sa.JSON()),
    sa.column("reason", sa.Text()),
    sa.column("details", sa.JSON()),
)


def upgrade() -> None:
    op.add_column("identities", sa.Column("ins_source", sa.String(length=6), nullable=True))
    op.add_column(
        "identities",
        sa.Column("ins_confirmed", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    i = identities.c
    held = i.ins_number.is_not(None)
    op.execute(
        identities.update()
        .where(held)
        .values(
            ins_source=sa.case((i.ins_collection_method == "INSI", "INSI"), else_="DOMAIN"),
            ins_confirmed=sa.and_(i.birth_date_uncertain.is_(False), i.sex.in_(["M", "F"])),
        )
    )
    _downgrade_unconfirmed()


def _downgrade_unconfirmed() -> None:
    """RECUP/QUAL rows whose matricule is not confirmed: PROV/VALI, audited."""
    i = identities.c
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(i.id, i.status).where(
            i.ins_number.is_not(None), i.ins_confirmed.is_(False), i.status.in_(DOWNGRADE)
        )
    ).all()
    now = datetime.now(UTC)
    for position, (identity_id, status) in enumerate(rows):
        connection.execute(
            identities.update().where(i.id == identity_id).values(status=DOWNGRADE[status])
        )
        connection.execute(
            audit_log.insert().values(
                id=uuid.uuid4(),
                at=now if connection.dialect.name != "sqlite" else now.replace(tzinfo=None),
                position=position,
                actor=ACTOR,
                action="identity.status_changed",
                identity_id=identity_id,
                before={"status": status},
                after={"status": DOWNGRADE[status]},
                reason=REASON,
                details={"migration": revision},
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("identities") as batch:
        batch.drop_column("ins_confirmed")
        batch.drop_column("ins_source")
