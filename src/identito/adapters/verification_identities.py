"""The identities' side of a verification campaign, in SQL: the query sent to INSi
for each identity, and the date of the last verification OK (``ins_verifications``).

A base class of ``SqlCampaignRepository`` (``adapters.verification_store``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import Connection, delete, select

from identito.adapters.bulk import insert_many
from identito.adapters.orm import identities, ins_verifications
from identito.services.teleservice import VerificationQuery

_IN_CHUNK = 900  # ids per ``IN (...)``: under SQLite's limit of bound parameters


class SqlVerifiedIdentities:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def verification_queries(
        self, identity_ids: Sequence[UUID]
    ) -> dict[UUID, VerificationQuery | None]:
        """The query of each identity; None without a matricule or once merged (an item
        queued before the merge is then skipped, not sent to INSi)."""
        i = identities
        columns = (
            i.c.id,
            i.c.ins_number,
            i.c.ins_oid,
            i.c.birth_name,
            i.c.birth_first_names,
            i.c.sex,
            i.c.birth_date_raw,
            i.c.birth_place_code,
        )
        found: dict[UUID, VerificationQuery | None] = dict.fromkeys(identity_ids)
        for start in range(0, len(identity_ids), _IN_CHUNK):
            chunk = identity_ids[start : start + _IN_CHUNK]
            for row in self.connection.execute(
                select(*columns).where(i.c.id.in_(chunk), i.c.active.is_(True))
            ):
                if row.ins_number is None:
                    continue
                found[row.id] = VerificationQuery(
                    ins_number=row.ins_number,
                    oid=row.ins_oid,
                    birth_name=row.birth_name,
                    first_names=tuple(row.birth_first_names),
                    sex=row.sex,
                    birth_date=row.birth_date_raw,
                    birth_place_code=row.birth_place_code,
                )
        return found

    def mark_verified(self, identity_ids: Sequence[UUID], at: datetime) -> None:
        if not identity_ids:
            return
        v = ins_verifications
        for start in range(0, len(identity_ids), _IN_CHUNK):
            chunk = list(identity_ids[start : start + _IN_CHUNK])
            self.connection.execute(delete(v).where(v.c.identity_id.in_(chunk)))
            insert_many(self.connection, v, [{"identity_id": i, "verified_at": at} for i in chunk])

    def unconfirmed(self, identity_ids: Sequence[UUID]) -> set[UUID]:
        i, found = identities, set()
        for start in range(0, len(identity_ids), _IN_CHUNK):
            chunk = identity_ids[start : start + _IN_CHUNK]
            query = select(i.c.id).where(
                i.c.id.in_(chunk), i.c.ins_number.is_not(None), i.c.ins_confirmed.is_(False)
            )
            found.update(self.connection.execute(query).scalars())
        return found

    def last_verified(self, identity_id: UUID) -> datetime | None:
        v = ins_verifications
        query = select(v.c.verified_at).where(v.c.identity_id == identity_id)
        return self.connection.execute(query).scalar()
