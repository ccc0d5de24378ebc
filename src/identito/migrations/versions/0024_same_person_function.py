"""One round trip to reserve a creation on PostgreSQL (issue 12, creation throughput).

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-04

``identito_same_person`` takes the transaction-scoped advisory lock of the strict
traits, then returns the active, non-merged identities having them
(``adapters.repository.SqlIdentityRepository.reserve_strict_traits``). It is a
VOLATILE PL/pgSQL function on purpose: its second statement takes a new snapshot
once the lock is held, so it sees the identity a concurrent creation of the same
person committed while this one waited (one plain statement would not: its snapshot
is taken before the wait). SQLite needs nothing: it has one writer at a time.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FUNCTION = """
CREATE OR REPLACE FUNCTION identito_same_person(
    lock_key bigint, born date, sex_code varchar, name varchar, first_name varchar,
    place varchar
) RETURNS TABLE(id uuid, birth_first_names json, birth_date_raw varchar)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    RETURN QUERY
        SELECT i.id, i.birth_first_names, i.birth_date_raw::varchar FROM identities AS i
        WHERE i.active AND i.merged_into IS NULL AND i.birth_date = born
          AND i.sex = sex_code AND i.birth_name = name
          AND i.first_birth_first_name = first_name AND i.birth_place_code = place;
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(FUNCTION)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS identito_same_person")
