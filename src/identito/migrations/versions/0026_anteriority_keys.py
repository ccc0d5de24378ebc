"""Anteriority search keys (issue 16): ``identity_search_keys``.

Revision ID: 0026
Revises: 0020
Create Date: 2026-12-05

One row per (kind, key) of an identity's names and first names, with its birth
date (``identito.domain.anteriority``): the words and parts of compound and
particle names, their French phonetic keys, every birth first name and the used
ones. Indexed ``(kind, value, birth_date)`` and ``(kind, birth_date, value)``, and by
identity (rewritten on each update). Existing identities, merged ones included (a
merged identity found by its old traits leads to its survivor), are backfilled here
with the domain's function, by batches of ids; the indexes are built after.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from identito.domain.anteriority import trait_keys

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 10_000


def _backfill() -> None:
    identities = sa.table(
        "identities",
        sa.column("id", sa.Uuid()),
        sa.column("birth_name", sa.String()),
        sa.column("used_name", sa.String()),
        sa.column("first_birth_first_name", sa.String()),
        sa.column("birth_first_names", sa.JSON()),
        sa.column("used_first_name", sa.String()),
        sa.column("birth_date", sa.Date()),
    )
    keys = sa.table(
        "identity_search_keys",
        sa.column("identity_id", sa.Uuid()),
        sa.column("kind", sa.String()),
        sa.column("value", sa.String()),
        sa.column("birth_date", sa.Date()),
    )
    connection = op.get_bind()
    last = None
    while True:
        query = sa.select(identities).order_by(identities.c.id)
        if last is not None:
            query = query.where(identities.c.id > last)
        rows = connection.execute(query.limit(BATCH)).all()
        if not rows:
            return
        values = [
            {"identity_id": r.id, "kind": kind.value, "value": value, "birth_date": r.birth_date}
            for r in rows
            for kind, value in sorted(
                trait_keys(
                    [r.birth_name, r.used_name],
                    [r.first_birth_first_name, *(r.birth_first_names or []), r.used_first_name],
                )
            )
        ]
        if values:
            connection.execute(sa.insert(keys), values)
        last = rows[-1].id


def upgrade() -> None:
    op.create_table(
        "identity_search_keys",
        sa.Column("identity_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(2), nullable=False),
        sa.Column("value", sa.String(100), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
    )
    _backfill()
    op.create_index("ix_identity_search_keys_identity_id", "identity_search_keys", ["identity_id"])
    op.create_index(
        "ix_identity_search_keys_lookup", "identity_search_keys", ["kind", "value", "birth_date"]
    )
    op.create_index(
        "ix_identity_search_keys_dated", "identity_search_keys", ["kind", "birth_date", "value"]
    )


def downgrade() -> None:
    op.drop_table("identity_search_keys")
