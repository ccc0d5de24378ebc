"""Issue 17 point 1 on SQLite and PostgreSQL: the billing NSS kept apart from the INS
(R-TR-20), searched exactly (R-AS-04), and migration 0025."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from migration_support import upgrade, with_engine
from sqlalchemy import insert, inspect, select

from identito.adapters.mappers import identity_row
from identito.adapters.orm import identities, ins_history
from identito.domain.identifiers import Ins, Oid
from identito.domain.nss import Nss, NssHolder, NssOid
from identito.domain.status import IdentityStatus
from identito.services.identities import search_identities, update_identity
from identito.services.unit_of_work import SearchCriteria

START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
PARENT_NSS = "180037511600178"  # a synthetic NIR with a valid key (not the child's)
CHILD_INS = Ins.parse("279035121518989", Oid.NIR.value)


def test_an_ouvrant_droit_nss_is_stored_and_read_back_apart_from_the_ins(
    uow_factory, make_identity, admin, rules
) -> None:
    identity = make_identity(sex="F", birth_date="2016-03-27", birth_place_code="51215")
    identity.record_ins_retrieval(CHILD_INS, now=START)
    nss = Nss(PARENT_NSS, NssOid.NIR, NssHolder.OUVRANT_DROIT)
    identity.change_nss(nss, now=START)
    with uow_factory() as uow:
        uow.identities.add(identity)
        uow.commit(admin, START)
    with uow_factory() as uow:
        loaded = uow.identities.get(identity.id)
        row = uow._connection.execute(
            select(identities.c.nss_number, identities.c.nss_holder, identities.c.ins_number)
            .where(identities.c.id == identity.id)
        ).one()  # fmt: skip
    assert loaded.nss == nss and loaded.ins == CHILD_INS
    assert tuple(row) == (nss.number, "ouvrant_droit", CHILD_INS.number.number)


def test_the_search_by_nss_finds_only_the_nss_and_the_search_by_ins_only_the_ins(
    uow_factory, make_identity, admin, rules
) -> None:
    holder = make_identity()
    holder.record_ins_retrieval(CHILD_INS, now=START)  # this number as an INS
    typed = make_identity(birth_name="MARTIN")
    typed.change_nss(Nss(CHILD_INS.number.number, NssOid.NIR, NssHolder.PATIENT), now=START)
    with uow_factory() as uow:
        uow.identities.add(holder)
        uow.identities.add(typed)
        uow.commit(admin, START)
    number = CHILD_INS.number.number
    by_nss = search_identities(nss=number, uow=uow_factory(), actor=admin, rules=rules)
    by_ins = search_identities(ins=number, uow=uow_factory(), actor=admin, rules=rules)
    assert [i.id for i in by_nss] == [typed.id]
    assert [i.id for i in by_ins] == [holder.id]
    with uow_factory() as uow:
        assert uow.identities.search(SearchCriteria(nss_number="2" * 15)) == []


def test_setting_the_nss_through_the_use_case_moves_neither_status_nor_ins_and_is_propagated(
    uow_factory, make_identity, admin, rules
) -> None:
    identity = make_identity()
    with uow_factory() as uow:
        uow.identities.add(identity)
        uow.commit(admin, START)
    number = CHILD_INS.number.number  # a NIR typed in the NSS field: never an INS
    changed = update_identity(
        identity.id, identity.version,
        {"nss": {"number": number, "oid": NssOid.NIR.value, "holder": "patient"}},
        uow=uow_factory(), actor=admin, rules=rules,
    )  # fmt: skip
    assert changed.status is IdentityStatus.PROVISIONAL and changed.ins is None
    with uow_factory() as uow:
        loaded = uow.identities.get(identity.id)
        rows = [r for r in uow.outbox.unsent() if r["identity_id"] == identity.id]
        trail = [e.action for e in uow.audit.for_identity(identity.id)]
    assert loaded.nss is not None and loaded.nss.number == number and loaded.ins is None
    assert [r["action"] for r in rows] == ["identity.nss_changed"]
    assert "identity.nss_changed" in trail


@pytest.fixture
def database_at_0020(fresh_url: str) -> str:
    upgrade(fresh_url, "0020")
    return fresh_url


def test_migration_0025_adds_the_nss_and_leaves_existing_history_not_replaced(
    database_at_0020, make_identity
) -> None:
    identity = make_identity()

    def seed(connection: Any) -> None:
        columns = {c["name"] for c in inspect(connection).get_columns("identities")}
        connection.execute(
            insert(identities), [{k: v for k, v in identity_row(identity).items() if k in columns}]
        )
        history = [
            (0, "nouveau matricule renvoyé par INSi"),
            (1, "traits stricts modifiés : sex"),
            (2, "nouveau matricule reçu du domaine d'identification"),
        ]
        connection.execute(
            insert(ins_history),
            [{"identity_id": identity.id, "position": p, "number": "279035121518989",
              "oid": Oid.NIR.value, "ended_at": START, "reason": r} for p, r in history],
        )  # fmt: skip

    with_engine(database_at_0020, seed)
    upgrade(database_at_0020, "head")

    def read(connection: Any) -> Any:
        columns = {c["name"] for c in inspect(connection).get_columns("identities")}
        flags = connection.execute(
            select(ins_history.c.position, ins_history.c.replaced).order_by("position")
        ).all()
        return columns, [tuple(f) for f in flags]

    columns, flags = with_engine(database_at_0020, read)
    assert {"nss_number", "nss_oid", "nss_holder"} <= columns
    assert flags == [(0, False), (1, False), (2, False)]  # the reasons cannot tell
