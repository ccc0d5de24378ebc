"""R-DU-03 in storage, on SQLite and PostgreSQL: the repository refuses a second active
holder of a matricule, the partial unique index refuses it too (and its refusal is
the same domain error), migration 0011 hands existing violations to identity
vigilance before creating the index, and two concurrent writers: exactly one wins."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from migration_support import upgrade, with_engine
from sqlalchemy import insert, inspect, select
from sqlalchemy.exc import IntegrityError

from identito.adapters.bulk import COPY_FROM
from identito.adapters.database import create_engine_for
from identito.adapters.mappers import identity_row
from identito.adapters.orm import audit_log, duplicate_reviews, identities
from identito.adapters.repository import SqlIdentityRepository
from identito.domain.duplicate_reviews import Source
from identito.domain.errors import NotFound
from identito.domain.identifiers import Ins, Oid
from identito.domain.identity import Identity
from identito.domain.ins_uniqueness import InsAlreadyHeld
from identito.domain.status import CollisionLevel
from identito.services.identities import update_identity

INS = Ins.parse("180037505612310", Oid.NIR.value)
OTHER_INS = Ins.parse("180032B02040123", Oid.NIR.value)
NIA = Ins.parse("299129912345662", Oid.NIA.value)


def _store(uow_factory, actor, rules, *identities_: Identity) -> None:
    with uow_factory() as uow:
        for identity in identities_:
            uow.identities.add(identity)
        uow.commit(actor, rules.now())


def _holding(make_identity, rules, ins: Ins = INS, **traits: Any) -> Identity:
    identity = make_identity(**traits)
    identity.record_ins_retrieval(ins, now=rules.now())
    return identity


def test_the_repository_refuses_a_second_active_holder_of_a_matricule(
    uow_factory, make_identity, admin, rules
):
    holder, other = _holding(make_identity, rules), make_identity(birth_name="MARTIN")
    _store(uow_factory, admin, rules, holder, other)
    with uow_factory() as uow, pytest.raises(InsAlreadyHeld) as raised:
        loaded = uow.identities.get(other.id)
        loaded.record_ins_retrieval(INS, now=rules.now())
        uow.identities.update(loaded)
    assert raised.value.holders == (holder.id,)
    with uow_factory() as uow, pytest.raises(InsAlreadyHeld):
        uow.identities.add(_holding(make_identity, rules, birth_name="BERNARD"))


def test_the_database_index_refuses_two_active_holders_written_behind_the_repository(
    uow_factory, make_identity, admin, rules, database_url
):
    _store(uow_factory, admin, rules, _holding(make_identity, rules))
    engine = create_engine_for(database_url)
    try:
        with engine.begin() as connection, pytest.raises(IntegrityError):
            row = identity_row(_holding(make_identity, rules, birth_name="MARTIN"))
            connection.execute(insert(identities).values(row))
    finally:
        engine.dispose()


def test_the_index_leaves_out_merged_identities_those_in_collision_and_other_oids(
    uow_factory, make_identity, admin, rules
):
    holder = _holding(make_identity, rules)
    in_collision = [_holding(make_identity, rules, birth_name=n) for n in ("MARTIN", "PETIT")]
    for identity in in_collision:
        identity.declare_collision(CollisionLevel.POTENTIAL, now=rules.now())
    merged = _holding(make_identity, rules, birth_name="LEROY")
    merged.active, merged.merged_into = False, holder.id
    same_number_nia = make_identity(birth_name="ROUX")
    same_number_nia.record_ins_retrieval(
        Ins.parse(INS.number.number, Oid.NIA.value), now=rules.now()
    )
    _store(uow_factory, admin, rules, holder, *in_collision, merged, same_number_nia)
    with uow_factory() as uow:
        assert uow.identities.ins_holders(INS) == sorted([holder.id, *(i.id for i in in_collision)])


def test_an_index_refusal_from_a_concurrent_writer_becomes_the_same_domain_error(
    uow_factory, make_identity, admin, rules, monkeypatch
):
    """Two writers both pass the check; the index refuses the second (SQLite raises it
    at the write as PostgreSQL does): ``InsAlreadyHeld``, not a 500."""
    first, second = make_identity(), make_identity(birth_name="MARTIN")
    _store(uow_factory, admin, rules, first, second)
    with uow_factory() as winner, uow_factory() as loser:
        a = winner.identities.get(first.id)
        a.record_ins_retrieval(INS, now=rules.now())
        winner.identities.update(a)
        winner.commit(admin, rules.now())
        monkeypatch.setattr(loser.identities, "ins_holders", lambda *_a, **_k: [])  # a stale check
        b = loser.identities.get(second.id)
        b.record_ins_retrieval(INS, now=rules.now())
        with pytest.raises(InsAlreadyHeld) as raised:
            loser.identities.update(b)
    assert raised.value.identity_id == second.id and raised.value.ins == INS


def test_two_concurrent_writers_of_one_matricule_on_postgresql_exactly_one_wins(
    uow_factory, make_identity, admin, rules, database_url, vigilance, monkeypatch
):
    """The second writer's check runs before the first commits, so it passes; its write
    then waits on the index and is refused: the use case answers ``InsAlreadyHeld``
    naming the winner and lists the pair, as for a refused check."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite serialises writers on its file lock: no concurrent write to race")
    first = make_identity()
    second = _holding(make_identity, rules, OTHER_INS, birth_name="MARTIN")
    _store(uow_factory, admin, rules, first, second)
    first_written, second_checked = threading.Event(), threading.Event()
    checked = SqlIdentityRepository.ins_holders

    def spy(self: SqlIdentityRepository, *args: Any, **kwargs: Any) -> list[Any]:
        found = checked(self, *args, **kwargs)
        if threading.current_thread().name == "second":
            second_checked.set()  # checked while the first writer has not committed
        return found

    monkeypatch.setattr(SqlIdentityRepository, "ins_holders", spy)
    outcomes: dict[str, object] = {}

    def first_writer() -> None:
        with uow_factory() as uow:
            identity = uow.identities.get(first.id)
            identity.record_ins_retrieval(INS, now=rules.now())
            uow.identities.update(identity)  # checked and written, not committed
            first_written.set()
            assert second_checked.wait(10)
            uow.commit(admin, rules.now())
        outcomes["first"] = "committed"

    def second_writer() -> None:
        assert first_written.wait(10)
        change = {"ins": {"number": INS.number.number, "oid": INS.oid.value}}
        try:
            update_identity(second.id, second.version, change, uow=uow_factory(),
                            actor=vigilance, rules=rules)  # fmt: skip
            outcomes["second"] = "committed"
        except InsAlreadyHeld as error:
            outcomes["second"] = error

    threads = [threading.Thread(target=first_writer, name="first"),
               threading.Thread(target=second_writer, name="second")]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert outcomes["first"] == "committed"
    refused = outcomes["second"]
    assert isinstance(refused, InsAlreadyHeld) and refused.holders == (first.id,)
    with uow_factory() as uow:
        assert uow.identities.ins_holders(INS) == [first.id]
        assert uow.identities.get(second.id).ins == OTHER_INS
        [review] = uow.duplicate_reviews.for_identity(second.id)
    assert {review.first_id, review.second_id} == {first.id, second.id} and review.blocking


# -- migration 0011 with existing violations ---------------------------------------------------


@pytest.fixture
def database_at_0010(fresh_url: str) -> str:
    """A new database migrated up to revision 0010 only (before the index)."""
    upgrade(fresh_url, "0010")
    return fresh_url


def _at_0010(connection: Any, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows without the columns later revisions add (0012, 0013...)."""
    columns = {column["name"] for column in inspect(connection).get_columns("identities")}
    return [{key: value for key, value in row.items() if key in columns} for row in rows]


def test_migration_0011_hands_existing_violations_to_identity_vigilance_then_creates_the_index(
    database_at_0010, make_identity, rules
):
    a, b = _holding(make_identity, rules), _holding(make_identity, rules, birth_name="MARTIN")
    already_colv = _holding(make_identity, rules, OTHER_INS, birth_name="PETIT")
    already_colv.declare_collision(CollisionLevel.CONFIRMED, now=rules.now())
    plain = _holding(make_identity, rules, OTHER_INS, birth_name="ROUX")
    merged = _holding(make_identity, rules, birth_name="LEROY")
    merged.active, merged.merged_into = False, a.id
    alone = _holding(make_identity, rules, NIA)
    rows = [identity_row(i) for i in (a, b, already_colv, plain, merged, alone)]
    with_engine(database_at_0010, lambda c: c.execute(insert(identities), _at_0010(c, rows)))

    upgrade(database_at_0010, "head")

    def read(connection: Any) -> tuple[dict[Any, Any], list[Any], list[Any]]:
        collisions = dict(connection.execute(select(identities.c.id, identities.c.collision)).all())
        audits = connection.execute(
            select(audit_log.c.identity_id, audit_log.c.action, audit_log.c.details)
        ).all()
        reviews = connection.execute(select(duplicate_reviews)).mappings().all()
        return collisions, audits, reviews

    collisions, audits, reviews = with_engine(database_at_0010, read)
    assert collisions == {a.id: "COLP", b.id: "COLP", already_colv.id: "COLV",
                          plain.id: "COLP", merged.id: None, alone.id: None}  # fmt: skip
    assert sorted(str(i) for i, *_ in audits) == sorted(str(i) for i in (a.id, b.id, plain.id))
    assert {action for _, action, _ in audits} == {"identity.collision_declared"}
    assert all(details["rule"] == "ins_already_held" for *_, details in audits)
    pairs = {frozenset((r["first_id"], r["second_id"])) for r in reviews}
    assert pairs == {frozenset((a.id, b.id)), frozenset((already_colv.id, plain.id))}
    assert all(r["blocking"] and r["score"] == 1.0 and r["status"] == "pending" for r in reviews)
    assert {r["source"] for r in reviews} == {"ins_held"}
    second = identity_row(_holding(make_identity, rules, NIA, birth_name="FAURE"))
    with pytest.raises(IntegrityError):  # the index is there: ``alone`` holds the NIA
        with_engine(database_at_0010, lambda c: c.execute(insert(identities).values(second)))


def test_a_refused_change_lists_the_pair_and_its_audit_row_in_one_committed_transaction(
    uow_factory, make_identity, admin, rules, vigilance
):
    holder = _holding(make_identity, rules)
    asking = _holding(make_identity, rules, OTHER_INS, birth_name="MARTIN")
    _store(uow_factory, admin, rules, holder, asking)
    change = {"ins": {"number": INS.number.number, "oid": INS.oid.value}}
    with pytest.raises(InsAlreadyHeld) as raised:
        update_identity(asking.id, asking.version, change, uow=uow_factory(), actor=vigilance,
                        rules=rules)  # fmt: skip
    assert raised.value.holders == (holder.id,)
    with uow_factory() as uow:
        assert uow.identities.get(asking.id).ins == OTHER_INS
        [review] = uow.duplicate_reviews.for_identity(asking.id)
        actions = [e.action for e in uow.audit.for_identity(asking.id)]
    assert {review.first_id, review.second_id} == {asking.id, holder.id}
    assert review.blocking and review.score == 1.0 and review.source is Source.INS_HELD
    assert "identity.ins_already_held" in actions and "identity.ins_changed" not in actions


def test_a_bulk_write_of_a_held_matricule_that_passed_the_check_is_refused_by_the_index(
    uow_factory, make_identity, admin, rules
):
    """As an import batch (``COPY`` on PostgreSQL from ``bulk.COPY_FROM`` rows) written
    while a concurrent writer took the matricule: the index refuses, the same error."""
    _store(uow_factory, admin, rules, _holding(make_identity, rules))
    batch = [make_identity(birth_name="LOT" + "A" * n) for n in range(1, COPY_FROM + 1)]
    late = _holding(make_identity, rules, birth_name="MARTIN")
    with uow_factory() as uow, pytest.raises(InsAlreadyHeld) as raised:
        uow.identities.ins_holders = lambda *_, **__: []  # type: ignore[method-assign]
        for identity in [*batch, late]:
            uow.identities.add(identity)
        uow.commit(admin, rules.now())
    assert raised.value.identity_id == late.id
    with uow_factory() as uow, pytest.raises(NotFound):  # nothing of the batch stored
        uow.identities.get(batch[0].id)
