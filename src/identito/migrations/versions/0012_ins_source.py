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
the former rule, become PROV or VALI, with an audit row each and an outbox row, as the
unit of work writes for any downgrade: a receiver that got the matricule of a former
QUAL identity is told to withdraw it (A47) at the next ``identito outbox send``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from identito.domain.identifiers import Oid

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

TRAITS = ("birth_name", "birth_first_names", "first_birth_first_name", "sex",
          "birth_place_code", "used_name", "used_first_name")  # fmt: skip

identities = sa.table(
    "identities",
    sa.column("id", sa.Uuid()),
    sa.column("status", sa.String()),
    sa.column("attributes", sa.JSON()),
    *(sa.column(name, sa.JSON() if name == "birth_first_names" else sa.String())
      for name in TRAITS),
    sa.column("birth_date_raw", sa.String()),
    sa.column("ins_number", sa.String()),
    sa.column("ins_oid", sa.String()),
    sa.column("ins_collection_method", sa.String()),
    sa.column("birth_date_uncertain", sa.Boolean()),
    sa.column("document_type", sa.String()),
    sa.column("document_expiry", sa.Date()),
    sa.column("validated_at", sa.DateTime(timezone=True)),
    sa.column("validated_by", sa.String()),
    sa.column("collision", sa.String()),
    sa.column("ins_source", sa.String()),
    sa.column("ins_confirmed", sa.Boolean()),
)  # fmt: skip
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
outbox = sa.table(
    "outbox",
    sa.column("id", sa.Uuid()),
    sa.column("identity_id", sa.Uuid()),
    sa.column("action", sa.String()),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("payload", sa.JSON()),
    sa.column("sent_at", sa.DateTime(timezone=True)),
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
    """RECUP/QUAL rows whose matricule is not confirmed: PROV/VALI, audited and queued
    for propagation like any downgrade (an outbox row whose ``before`` is the identity's
    snapshot, so ``identito outbox send`` withdraws a diffused matricule with an A47)."""
    i = identities.c
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(identities).where(
            i.ins_number.is_not(None), i.ins_confirmed.is_(False), i.status.in_(DOWNGRADE)
        )
    ).mappings()
    now = datetime.now(UTC)
    at = now if connection.dialect.name != "sqlite" else now.replace(tzinfo=None)
    for position, row in enumerate(rows.all()):
        status = DOWNGRADE[row["status"]]
        connection.execute(identities.update().where(i.id == row["id"]).values(status=status))
        before = _snapshot(row, row["status"])
        after = {**_snapshot(row, status), "ins_confirmed": False, "ins_source": row["ins_source"]}
        audit_id = uuid.uuid4()
        connection.execute(
            audit_log.insert().values(
                id=audit_id, at=at, position=position, actor=ACTOR,
                action="identity.status_changed", identity_id=row["id"], before=before,
                after=after, reason=REASON, details={"migration": revision, "propagate": True},
            )
        )  # fmt: skip
        connection.execute(
            outbox.insert().values(
                id=uuid.uuid4(), identity_id=row["id"], action="identity.status_changed",
                created_at=at, sent_at=None,
                payload={"audit_id": str(audit_id), "before": before, "after": after,
                         "details": {"migration": revision}},
            )
        )  # fmt: skip


def _snapshot(row: sa.RowMapping, status: str) -> dict[str, Any]:
    """``Identity.snapshot()`` as of this revision, read from the row."""
    picture: dict[str, Any] = {
        **{name: row[name] for name in TRAITS},
        "birth_date": row["birth_date_raw"],
        "status": status,
        "attributes": sorted(row["attributes"] or []),
        "ins": {
            "number": row["ins_number"],
            "oid": row["ins_oid"],
            "kind": Oid(row["ins_oid"]).kind.value,
        },
        "validation": None,
    }
    if row["validated_at"] is not None:
        expiry = row["document_expiry"]
        picture["validation"] = {
            "document_type": row["document_type"],
            "document_expiry": expiry.isoformat() if expiry else None,
            "validated_at": _utc(row["validated_at"]).isoformat(),
            "validated_by": row["validated_by"],
        }
    if row["collision"] is not None:
        picture["collision"] = row["collision"]
    return picture


def _utc(value: datetime) -> datetime:
    """SQLite gives back naive UTC values, PostgreSQL aware ones."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def downgrade() -> None:
    with op.batch_alter_table("identities") as batch:
        batch.drop_column("ins_confirmed")
        batch.drop_column("ins_source")
