"""Transactions, audit rows and outbox of the SQL unit of work."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from identito.adapters.orm import audit_log, identities
from identito.domain.events import AuditAction
from identito.domain.identifiers import Ins, Oid
from identito.domain.status import IdentityAttribute

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
INS = Ins.parse("180032B02040123", Oid.NIR_TEST.value, allow_test_oids=True)


def _count(uow_factory, table):
    with uow_factory() as uow:
        return uow.identities.connection.scalar(select(func.count()).select_from(table))


def test_the_audit_row_is_written_with_the_change(uow_factory, make_identity, admin):
    identity = make_identity()
    with uow_factory() as uow:
        uow.identities.add(identity)
        uow.commit(admin, NOW)

    with uow_factory() as uow:
        [entry] = uow.audit.for_identity(identity.id)
    assert entry.action == AuditAction.IDENTITY_CREATED.value
    assert entry.actor == "admin"
    assert entry.at == NOW
    assert entry.after is not None and entry.after["birth_name"] == "DUPONT"


def test_an_exception_inside_the_unit_of_work_writes_nothing(uow_factory, make_identity, admin):
    stored = make_identity()
    with uow_factory() as uow:
        uow.identities.add(stored)
        uow.commit(admin, NOW)

    with pytest.raises(RuntimeError), uow_factory() as uow:
        uow.identities.add(make_identity(birth_name="FANTOME"))
        uow.identities.flush()
        identity = uow.identities.get(stored.id)
        identity.change_attributes([IdentityAttribute.HOMONYM], [], now=NOW)
        uow.identities.update(identity)
        raise RuntimeError("the use case failed before commit")

    assert _count(uow_factory, identities) == 1
    assert _count(uow_factory, audit_log) == 1
    with uow_factory() as uow:
        again = uow.identities.get(stored.id)
    assert (again.version, again.attributes) == (1, frozenset())


def test_a_failure_while_writing_the_audit_leaves_no_change_behind(
    uow_factory, make_identity, admin, monkeypatch
):
    with uow_factory() as uow:
        uow.identities.add(make_identity())

        def broken(entries):
            raise OSError("audit storage unavailable")

        monkeypatch.setattr(uow.audit, "write", broken)
        with pytest.raises(OSError):
            uow.commit(admin, NOW)

    assert _count(uow_factory, identities) == 0


def test_leaving_without_commit_rolls_back(uow_factory, make_identity):
    with uow_factory() as uow:
        uow.identities.add(make_identity())
        uow.identities.flush()
    assert _count(uow_factory, identities) == 0


def test_an_explicit_rollback_discards_the_work_and_a_later_commit_still_works(
    uow_factory, make_identity, admin
):
    kept = make_identity(birth_name="GARDE")
    with uow_factory() as uow:
        uow.identities.add(make_identity(birth_name="OUBLIE"))
        uow.rollback()
        uow.identities.add(kept)
        uow.commit(admin, NOW)

    with uow_factory() as uow:
        assert uow.identities.get(kept.id) == kept
    assert _count(uow_factory, identities) == 1
    assert _count(uow_factory, audit_log) == 1


def test_a_read_noted_by_the_unit_of_work_is_audited(uow_factory, make_identity, admin, vigilance):
    identity = make_identity()
    with uow_factory() as uow:
        uow.identities.add(identity)
        uow.commit(admin, NOW)

    with uow_factory() as uow:
        uow.note_read(uow.identities.get(identity.id), vigilance, NOW)
        uow.commit(vigilance, NOW)

    with uow_factory() as uow:
        entries = uow.audit.for_identity(identity.id)
    assert [(e.action, e.actor) for e in entries] == [
        ("identity.created", "admin"),
        ("identity.read", "iv.martin"),
    ]


def test_events_to_propagate_are_queued_in_the_outbox(uow_factory, make_identity, admin):
    identity = make_identity()
    identity.record_ins_retrieval(INS, now=NOW)
    with uow_factory() as uow:
        uow.identities.add(identity)
        uow.commit(admin, NOW)

    with uow_factory() as uow:
        [row] = uow.outbox.unsent()
        audit = {e.action: e for e in uow.audit.for_identity(identity.id)}
        uow.outbox.mark_sent([row["id"]], NOW)
        uow.commit(admin, NOW)
    assert row["action"] == AuditAction.INS_RETRIEVED.value
    assert row["identity_id"] == identity.id
    assert row["created_at"] == NOW
    assert row["payload"]["after"]["ins"]["number"] == "180032B02040123"
    assert row["payload"]["audit_id"] == str(audit["identity.ins_retrieved"].id)
    with uow_factory() as uow:
        assert uow.outbox.unsent() == []


def test_a_unit_of_work_commits_twice_in_one_block_and_can_be_entered_again(
    uow_factory, make_identity, admin
):
    first, second, third = (make_identity(birth_name=n) for n in ("UN", "DEUX", "TROIS"))
    uow = uow_factory()
    with uow:
        uow.identities.add(first)
        uow.commit(admin, NOW)
        uow.identities.add(second)
        uow.commit(admin, NOW)
    with uow:
        uow.identities.add(third)
        uow.commit(admin, NOW)

    assert _count(uow_factory, identities) == 3
    assert _count(uow_factory, audit_log) == 3


def test_a_unit_of_work_cannot_be_used_outside_its_block(uow_factory, admin):
    uow = uow_factory()
    with pytest.raises(RuntimeError, match="Enter the unit of work"):
        uow.commit(admin, NOW)
