"""One identity per sender identification domain and patient identifier (issue 12).

Revision ID: 0018
Revises: 0015
Create Date: 2026-12-04

``sender_patients`` maps (sender, the sender's patient identifier: IPP, FHIR id) to
the identity its messages were integrated into; its primary key makes the database
refuse a second identity for the same pair, so that sixteen copies of one message
received at once create one identity (``services.reception_identifiers``).

The table is filled from ``received_messages`` (migration 0007): each (sender,
patient identifier) gets the identity of its latest integrated message, as the
lookup of updates found it so far. When earlier messages of the same pair went into
other identities still active and not merged, nothing is dropped: every such pair of
identities goes to the duplicate review worklist (score 1.0, source ``sender_id``,
reopened when already there) for identity vigilance to decide, as 0011 did for
matricules.
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

revision: str = "0018"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "sender_patients"

_messages = sa.table(
    "received_messages",
    sa.column("sender_application", sa.String()),
    sa.column("sender_facility", sa.String()),
    sa.column("patient_id", sa.String()),
    sa.column("identity_id", sa.Uuid()),
    sa.column("received_at", sa.DateTime(timezone=True)),
)
_identities = sa.table(
    "identities",
    sa.column("id", sa.Uuid()),
    sa.column("active", sa.Boolean()),
    sa.column("merged_into", sa.Uuid()),
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


def sender_key(application: str | None, facility: str | None) -> str:
    """As ``services.reception_model.sender_key`` (copied: a migration stays as written)."""
    return f"{(application or '').strip().upper()}^{(facility or '').strip().upper()}"


def upgrade() -> None:
    table = op.create_table(
        TABLE,
        sa.Column("sender", sa.String(401), primary_key=True),
        sa.Column("patient_id", sa.String(200), primary_key=True),
        sa.Column("identity_id", sa.Uuid(), nullable=False, index=True),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
    )
    connection = op.get_bind()
    now = _now(connection)
    live = _live_identities(connection)
    for (sender, patient_id), identities in _integrated(connection).items():
        latest = identities[-1]
        connection.execute(
            sa.insert(table).values(
                sender=sender, patient_id=patient_id, identity_id=latest, linked_at=now
            )
        )
        others = sorted({i for i in identities if i in live}, key=str)
        for first, second in itertools.combinations(others, 2):
            _review(connection, first, second, now)


def downgrade() -> None:
    op.drop_table(TABLE)


def _now(connection: sa.Connection) -> datetime:
    now = datetime.now(UTC)
    return now.replace(tzinfo=None) if connection.dialect.name == "sqlite" else now


def _integrated(connection: sa.Connection) -> dict[tuple[str, str], list[uuid.UUID]]:
    """(sender, patient identifier) -> the identities of its messages, oldest first."""
    m = _messages.c
    rows = connection.execute(
        sa.select(m.sender_application, m.sender_facility, m.patient_id, m.identity_id)
        .where(m.patient_id.is_not(None), m.identity_id.is_not(None))
        .order_by(m.received_at)
    )
    found: dict[tuple[str, str], list[uuid.UUID]] = defaultdict(list)
    for row in rows:
        key = (sender_key(row.sender_application, row.sender_facility), row.patient_id)
        found[key].append(row.identity_id)
    return found


def _live_identities(connection: sa.Connection) -> set[uuid.UUID]:
    i = _identities.c
    query = sa.select(i.id).where(i.active.is_(True), i.merged_into.is_(None))
    return set(connection.scalars(query))


def _review(connection: sa.Connection, first: uuid.UUID, second: uuid.UUID, now: datetime) -> None:
    """The pair as a pending review (score 1.0, source ``sender_id``: the reason, no trait
    line), reopened when already stored."""
    r = _reviews.c
    values: dict[str, Any] = {
        "score": 1.0, "blocking": False, "explanation": [], "scored_at": now,
        "status": "pending", "decided_at": None, "decided_by": None, "note": None,
        "fingerprint": None,
    }  # fmt: skip
    first, second = sorted((first, second))
    pair = (r.first_id == first) & (r.second_id == second)
    if connection.scalar(sa.select(r.id).where(pair)) is not None:
        connection.execute(sa.update(_reviews).where(pair).values(values))
        return
    connection.execute(
        sa.insert(_reviews).values(
            id=uuid.uuid4(), first_id=first, second_id=second, found_at=now,
            source="sender_id", **values,
        )
    )  # fmt: skip
