"""One active identity per matricule INS (R-DU-03, issue 11).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04

Before creating the partial unique index ``uq_identities_active_ins`` on
``(ins_number, ins_oid)`` of active, non-merged identities not in collision, the
existing violations are handed to identity vigilance, nothing dropped
(docs/adr/0006-one-active-identity-per-ins.md):

* every active, non-merged identity sharing its matricule and OID with another
  one is marked a potential collision (COLP: its matricule stops being diffused),
  with an audit row ``identity.collision_declared`` (actor ``migration-0011``);
* every pair of them is put in the duplicate review worklist as a blocking pair
  (score 1.0, source ``ins_held``), reopened when the pair was already there.

The index leaves identities in collision out, so these rows coexist until identity
vigilance resolves them; resolving one while another still holds the matricule is
refused by the same rule (``domain.ins_uniqueness``).
"""

from __future__ import annotations

import itertools
import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "uq_identities_active_ins"
PREDICATE = "active AND merged_into IS NULL AND collision IS NULL AND ins_number IS NOT NULL"
ACTOR = "migration-0011"
NOTE = "Même matricule INS actif : doublon bloquant."
REASON = (
    "Matricule INS porté par plusieurs identités actives avant l'index d'unicité (R-DU-03) : "
    "collision potentielle, à examiner par l'identitovigilance."
)

_identities = sa.table(
    "identities",
    sa.column("id", sa.Uuid()),
    sa.column("version", sa.Integer()),
    sa.column("ins_number", sa.String()),
    sa.column("ins_oid", sa.String()),
    sa.column("active", sa.Boolean()),
    sa.column("merged_into", sa.Uuid()),
    sa.column("collision", sa.String()),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
_audit = sa.table(
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
_reviews = sa.table(
    "duplicate_reviews",
    *(sa.column(name, sa.Uuid()) for name in ("id", "first_id", "second_id")),
    sa.column("status", sa.String()),
    sa.column("score", sa.Float()),
    sa.column("blocking", sa.Boolean()),
    sa.column("explanation", sa.JSON()),
    sa.column("found_at", sa.DateTime(timezone=True)),
    sa.column("scored_at", sa.DateTime(timezone=True)),
    sa.column("source", sa.String()),
    sa.column("decided_at", sa.DateTime(timezone=True)),
    sa.column("decided_by", sa.String()),
    sa.column("note", sa.Text()),
    sa.column("fingerprint", sa.String()),
)


def upgrade() -> None:
    connection = op.get_bind()
    now = _now(connection)
    for (number, oid), holders in _shared_matricules(connection).items():
        _declare_collisions(connection, holders, number, now)
        for first, second in itertools.combinations(sorted(h for h, _ in holders), 2):
            _review(connection, first, second, number, oid, now)
    op.create_index(
        INDEX,
        "identities",
        ["ins_number", "ins_oid"],
        unique=True,
        sqlite_where=sa.text(PREDICATE),
        postgresql_where=sa.text(PREDICATE),
    )


def downgrade() -> None:
    op.drop_index(INDEX, table_name="identities")


def _now(connection: sa.Connection) -> datetime:
    now = datetime.now(UTC)
    return now.replace(tzinfo=None) if connection.dialect.name == "sqlite" else now


def _shared_matricules(
    connection: sa.Connection,
) -> dict[tuple[str, str], list[tuple[uuid.UUID, str | None]]]:
    """(number, OID) held by several active, non-merged identities -> (id, collision)."""
    i = _identities.c
    rows = connection.execute(
        sa.select(i.id, i.ins_number, i.ins_oid, i.collision)
        .where(i.active.is_(True), i.merged_into.is_(None), i.ins_number.is_not(None))
        .order_by(i.ins_number, i.ins_oid, i.id)
    )
    by_ins: dict[tuple[str, str], list[tuple[uuid.UUID, str | None]]] = defaultdict(list)
    for row in rows:
        by_ins[(row.ins_number, row.ins_oid)].append((row.id, row.collision))
    return {key: holders for key, holders in by_ins.items() if len(holders) > 1}


def _declare_collisions(
    connection: sa.Connection,
    holders: list[tuple[uuid.UUID, str | None]],
    number: str,
    now: datetime,
) -> None:
    """COLP on those not in collision yet, each with its audit row."""
    i = _identities.c
    for position, (identity_id, collision) in enumerate(holders):
        if collision is not None:
            continue
        connection.execute(
            sa.update(_identities)
            .where(i.id == identity_id)
            .values(collision="COLP", updated_at=now, version=i.version + 1)
        )
        others = [str(h) for h, _ in holders if h != identity_id]
        connection.execute(
            sa.insert(_audit).values(
                id=uuid.uuid4(), at=now, position=position, actor=ACTOR,
                action="identity.collision_declared", identity_id=identity_id,
                before={"collision": None}, after={"collision": "COLP"}, reason=REASON,
                details={"collision": "COLP", "migration": revision, "rule": "ins_already_held",
                         "ins_number": number, "holders": others},
            )
        )  # fmt: skip


def _review(
    connection: sa.Connection,
    first: uuid.UUID,
    second: uuid.UUID,
    number: str,
    oid: str,
    now: datetime,
) -> None:
    """The pair as a pending blocking review (score 1.0), reopened when already stored."""
    r = _reviews.c
    line = {"trait": "ins", "local": number, "other": number, "agreement": "exact",
            "weight": 0.0, "note": NOTE}  # fmt: skip
    values: dict[str, Any] = {
        "score": 1.0, "blocking": True, "explanation": [line], "scored_at": now,
        "status": "pending", "decided_at": None, "decided_by": None, "note": None,
        "fingerprint": None,
    }  # fmt: skip
    pair = (r.first_id == first) & (r.second_id == second)
    if connection.scalar(sa.select(r.id).where(pair)) is not None:
        connection.execute(sa.update(_reviews).where(pair).values(values))
        return
    connection.execute(
        sa.insert(_reviews).values(
            id=uuid.uuid4(), first_id=first, second_id=second, found_at=now,
            source="ins_held", **values,
        )
    )  # fmt: skip
