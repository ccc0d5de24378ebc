"""The readable audit journal on the fakes: old -> new values, reasons, grouped reads,
filters, pages, and ``audit:read`` checked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fakes import FakeUnitOfWork, actor_with_role, fake_rules, make_identity
from identito.domain.errors import PermissionDenied
from identito.domain.events import AuditAction
from identito.domain.permissions import Role
from identito.services.audit_journal import (
    Change,
    JournalQuery,
    changes_of,
    global_journal,
    identity_journal,
    journal_lines,
)
from identito.services.unit_of_work import AuditEntry

VIGILANCE = actor_with_role(Role.IDENTITY_VIGILANCE)
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
READ = AuditAction.IDENTITY_READ


def _entry(actor: str, minutes: int, action: AuditAction = READ, **kwargs) -> AuditEntry:
    identity_id = kwargs.pop("identity_id", None)
    return AuditEntry(actor, START + timedelta(minutes=minutes), action, identity_id, **kwargs)


def test_changes_are_the_compared_values_that_differ_old_then_new() -> None:
    before = {"birth_name": "DUPONT", "sex": "F", "status": "QUAL", "attributes": []}
    after = {"birth_name": "DUPOND", "sex": "F", "status": "PROV", "attributes": ["DOUT"]}

    assert changes_of(before, after) == (
        Change("birth_name", "DUPONT", "DUPOND"),
        Change("status", "QUAL", "PROV"),
        Change("attributes", [], ["DOUT"]),
    )
    assert changes_of(None, after) == ()


def test_consecutive_reads_by_one_user_on_one_identity_fold_into_one_line() -> None:
    identity = make_identity()
    newest_first = [
        _entry("a", 5, identity_id=identity.id),
        _entry("a", 4, identity_id=identity.id),
        _entry("a", 3, identity_id=identity.id),
        _entry("b", 2, identity_id=identity.id),
        _entry("a", 1, AuditAction.TRAITS_CHANGED, identity_id=identity.id),
        _entry("a", 0, identity_id=identity.id),
    ]

    lines = journal_lines(newest_first)

    assert [(line.entry.actor, line.entry.action, line.count) for line in lines] == [
        ("a", READ, 3),
        ("b", READ, 1),
        ("a", AuditAction.TRAITS_CHANGED, 1),
        ("a", READ, 1),
    ]
    assert lines[0].first_at == START + timedelta(minutes=3)


def test_reads_of_two_identities_are_not_folded_together() -> None:
    first, second = make_identity(), make_identity()
    lines = journal_lines(
        [_entry("a", 2, identity_id=first.id), _entry("a", 1, identity_id=second.id)]
    )
    assert [line.count for line in lines] == [1, 1]


def test_the_reason_is_the_rows_reason_or_the_one_in_its_details() -> None:
    given = _entry("a", 0, AuditAction.TRAITS_CHANGED, details={"reason": "erreur de saisie"})
    column = _entry("a", 0, AuditAction.INSI_REJECTED, reason="autre patient")
    [from_details, from_column, none] = journal_lines([given, column, _entry("a", 0)])
    assert (from_details.reason, from_column.reason, none.reason) == (
        "erreur de saisie",
        "autre patient",
        None,
    )


def _journal_uow(*entries: AuditEntry) -> FakeUnitOfWork:
    uow = FakeUnitOfWork()
    uow.audit.entries.extend(entries)
    return uow


def test_the_identity_journal_filters_pages_and_notes_its_own_read() -> None:
    identity = make_identity()
    uow = _journal_uow(
        *(_entry(f"u{n % 2}", n, AuditAction.STATUS_CHANGED, identity_id=identity.id)
          for n in range(7)),
        _entry("u0", 10, AuditAction.TRAITS_CHANGED, identity_id=identity.id),
        _entry("u0", 11, AuditAction.STATUS_CHANGED, identity_id=make_identity().id),
    )  # fmt: skip
    uow.identities.committed[identity.id] = identity
    query = JournalQuery(identity.id, action=AuditAction.STATUS_CHANGED, page=2, per_page=5)

    page = identity_journal(query, uow=uow, actor=VIGILANCE, rules=fake_rules())

    assert (page.total, page.page, page.last_page) == (7, 2, 2)
    assert [line.entry.at.minute for line in page.lines] == [1, 0]
    assert page.actors == ["u0", "u1"]
    assert uow.audit.entries[-1].action is READ
    assert uow.audit.entries[-1].details == {"view": "audit"}


def test_the_global_journal_filters_by_user_and_period() -> None:
    uow = _journal_uow(_entry("a", 0, AuditAction.SESSION_OPENED), _entry("b", 30),
                       _entry("a", 90, AuditAction.SESSION_CLOSED))  # fmt: skip
    query = JournalQuery(
        actor="a", since=START + timedelta(minutes=10), until=START + timedelta(hours=2)
    )

    page = global_journal(query, uow=uow, actor=VIGILANCE, rules=fake_rules())

    assert [line.entry.action for line in page.lines] == [AuditAction.SESSION_CLOSED]


@pytest.mark.parametrize("role", [Role.ADMISSION, Role.CARE, Role.STATISTICS, Role.INTERFACE])
def test_only_audit_readers_open_a_journal(role: Role) -> None:
    identity = make_identity()
    uow, actor = _journal_uow(), actor_with_role(role)
    uow.identities.committed[identity.id] = identity

    with pytest.raises(PermissionDenied):
        global_journal(JournalQuery(), uow=uow, actor=actor, rules=fake_rules())
    with pytest.raises(PermissionDenied):
        identity_journal(JournalQuery(identity.id), uow=uow, actor=actor, rules=fake_rules())
