"""Issue 11 conformance review, storage seams on SQLite and PostgreSQL: the migration
chain 0010 -> head on a database holding several kinds of violating rows at once
(a shared matricule, sex I QUAL, a 00 date QUAL), and an unmerge restoring a
matricule another identity took meanwhile."""

from __future__ import annotations

from typing import Any

from migration_support import upgrade, with_engine
from sqlalchemy import insert, select
from test_storage_ins_uniqueness import (  # the 0010 database fixture and helpers
    INS,
    OTHER_INS,
    _at_0010,
    _holding,
    database_at_0010,
)

from identito.adapters.mappers import identity_row
from identito.adapters.orm import audit_log, duplicate_reviews, identities

__all__ = ["database_at_0010"]


def _qual_row(identity: Any, **columns: Any) -> dict[str, Any]:
    return {**identity_row(identity), "status": "QUAL", "ins_collection_method": "INSI", **columns}


def test_the_migration_chain_handles_a_shared_matricule_a_sex_i_qual_and_a_00_date_qual_at_once(
    database_at_0010, make_identity, rules
):
    sex_i = _holding(make_identity, rules, INS, birth_name="INDETER")
    date_00 = _holding(make_identity, rules, INS, birth_name="ZERODATE")
    alone_00 = _holding(make_identity, rules, OTHER_INS, birth_name="SEULZERO")
    rows = [
        _qual_row(sex_i, sex="I"),
        _qual_row(date_00, birth_date_raw="1980-00-00", birth_date_uncertain=True),
        _qual_row(alone_00, birth_date_raw="1980-00-00", birth_date_uncertain=True),
    ]
    with_engine(database_at_0010, lambda c: c.execute(insert(identities), _at_0010(c, rows)))

    upgrade(database_at_0010, "head")

    def read(connection: Any) -> tuple[dict[Any, Any], list[Any], list[Any]]:
        columns = (identities.c.id, identities.c.status, identities.c.collision,
                   identities.c.ins_number, identities.c.ins_confirmed)  # fmt: skip
        states = {row[0]: tuple(row[1:]) for row in connection.execute(select(*columns))}
        audits = connection.execute(select(audit_log.c.identity_id, audit_log.c.action)).all()
        return states, audits, connection.execute(select(duplicate_reviews)).mappings().all()

    states, audits, reviews = with_engine(database_at_0010, read)
    number, other = INS.number.number, OTHER_INS.number.number
    assert states == {
        sex_i.id: ("VALI", "COLP", number, False),
        date_00.id: ("VALI", "COLP", number, False),
        alone_00.id: ("VALI", None, other, False),
    }
    assert {frozenset((r["first_id"], r["second_id"])) for r in reviews} == {
        frozenset((sex_i.id, date_00.id))
    }
    downgraded = {i for i, action in audits if action == "identity.status_changed"}
    assert downgraded == {sex_i.id, date_00.id, alone_00.id}
