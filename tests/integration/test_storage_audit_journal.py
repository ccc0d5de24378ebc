"""The audit journal's queries on SQLite and PostgreSQL: filters, newest first, pages,
counts and the users of the journal (issue 16 point 3)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from identito.domain.events import AuditAction
from identito.domain.permissions import Actor
from identito.services.audit_journal import JournalQuery, global_journal
from identito.services.rules import Rules
from identito.services.unit_of_work import AuditEntry, AuditQuery

START = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)


def _write(uow_factory, admin: Actor, *entries: AuditEntry) -> None:
    with uow_factory() as uow:
        for entry in entries:
            uow.add_audit(entry)
        uow.commit(admin, START)


def test_rows_are_filtered_newest_first_counted_and_paged(uow_factory, admin):
    one, other = uuid4(), uuid4()
    status, read = AuditAction.STATUS_CHANGED, AuditAction.IDENTITY_READ
    _write(uow_factory, admin,
           *(AuditEntry(f"u{n % 2}", START + timedelta(hours=n), status, one) for n in range(6)),
           AuditEntry("u0", START + timedelta(hours=7), read, one),
           AuditEntry("u0", START + timedelta(hours=8), status, other))  # fmt: skip

    with uow_factory() as uow:
        of_one = AuditQuery(identity_id=one, action=status, limit=4)
        first = uow.audit.search(of_one)
        second = uow.audit.search(AuditQuery(identity_id=one, action=status, offset=4, limit=4))
        total = uow.audit.count(of_one)
        by_user = uow.audit.count(AuditQuery(actor="u1"))
        window = AuditQuery(since=START + timedelta(hours=2), until=START + timedelta(hours=4))
        in_window = uow.audit.search(window)
        actors_one, everyone = uow.audit.actors(one), uow.audit.actors(None)

    assert [e.at.astimezone(UTC).hour for e in first] == [13, 12, 11, 10]
    assert [e.at.astimezone(UTC).hour for e in second] == [9, 8]
    assert all(e.action is status for e in first + second)
    assert (total, by_user) == (6, 3)
    assert [e.at.astimezone(UTC).hour for e in in_window] == [11, 10]
    assert actors_one == ["u0", "u1"] and {"u0", "u1"} <= set(everyone)


def test_the_global_journal_audits_the_reads_of_the_snapshots_it_shows(
    uow_factory, admin, rules: Rules
):
    shown = uuid4()
    after = {"birth_name": "DUPONT", "ins": {"number": "1", "oid": "x", "kind": "NIR"}}
    created = AuditEntry("agent", START, AuditAction.IDENTITY_CREATED, shown, None, after)
    _write(uow_factory, admin, created)

    page = global_journal(
        JournalQuery(action=AuditAction.IDENTITY_CREATED),
        uow=uow_factory(), actor=admin, rules=rules,
    )  # fmt: skip

    assert [line.entry.identity_id for line in page.lines] == [shown]
    with uow_factory() as uow:
        reads = uow.audit.search(AuditQuery(identity_id=shown, action=AuditAction.IDENTITY_READ))
    assert [(r.actor, r.details) for r in reads] == [("admin", {"view": "audit"})]
