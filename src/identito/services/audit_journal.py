"""A readable audit journal: the rows of one identity, or of all, filtered by period,
user and action, a page at a time, newest first.

Each row becomes a ``JournalLine``: the changes of its snapshots (old -> new), the
reason given, and consecutive reads of the matricule by one user on one identity
folded into one line with their count. Grouping happens inside a page: a run of reads
that crosses a page boundary shows on both pages.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from identito.domain.events import AuditAction
from identito.domain.permissions import Actor, Permission
from identito.services.matricule_reads import MatriculeView, note_view, note_views
from identito.services.paging import bounded
from identito.services.rules import Rules
from identito.services.unit_of_work import AuditEntry, AuditQuery, UnitOfWork

#: Keys of a snapshot compared for the old -> new values, in the order they are shown.
COMPARED = (
    "birth_name", "birth_first_names", "first_birth_first_name", "birth_date", "sex",
    "birth_place_code", "used_name", "used_first_name", "ins", "status", "attributes",
    "collision",
)  # fmt: skip
PER_PAGE = 50


@dataclass(frozen=True)
class JournalQuery:
    """What the journal shows: every bound is optional; ``until`` is exclusive."""

    identity_id: UUID | None = None
    since: datetime | None = None
    until: datetime | None = None
    actor: str | None = None
    action: AuditAction | None = None
    page: int = 1
    per_page: int = PER_PAGE

    def rows(self) -> AuditQuery:
        page, per_page = bounded(self.page, self.per_page)
        return AuditQuery(
            self.identity_id, self.since, self.until, self.actor, self.action,
            offset=(page - 1) * per_page, limit=per_page,
        )  # fmt: skip


@dataclass(frozen=True)
class Change:
    """One value of the snapshot that changed: ``field`` is a snapshot key."""

    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class JournalLine:
    entry: AuditEntry  # the newest row of the line
    count: int = 1  # > 1: consecutive reads by one user folded into this line
    first_at: datetime | None = None  # the oldest read of a folded line
    changes: tuple[Change, ...] = ()

    @property
    def reason(self) -> str | None:
        return self.entry.reason or self.entry.details.get("reason") or None


@dataclass(frozen=True)
class JournalPage:
    lines: list[JournalLine]
    total: int  # rows matching the query, before grouping
    page: int
    per_page: int
    actors: list[str] = field(default_factory=list)  # who appears in the journal (filter)

    @property
    def last_page(self) -> int:
        return max(1, -(-self.total // self.per_page))


def changes_of(before: dict[str, Any] | None, after: dict[str, Any] | None) -> tuple[Change, ...]:
    """The compared values that differ between two snapshots (none without both).

    >>> before, after = {"birth_name": "A", "sex": "F"}, {"birth_name": "B", "sex": "F"}
    >>> [(c.field, c.before, c.after) for c in changes_of(before, after)]
    [('birth_name', 'A', 'B')]
    """
    if before is None or after is None:
        return ()
    return tuple(
        Change(key, before.get(key), after.get(key))
        for key in COMPARED
        if before.get(key) != after.get(key)
    )


def _same_read(line: JournalLine, entry: AuditEntry) -> bool:
    newest = line.entry
    return (
        entry.action is AuditAction.IDENTITY_READ
        and newest.action is AuditAction.IDENTITY_READ
        and entry.actor == newest.actor
        and entry.identity_id == newest.identity_id
    )


def journal_lines(entries: Iterable[AuditEntry]) -> list[JournalLine]:
    """Lines of ``entries`` (newest first): consecutive reads of one identity's matricule
    by one user fold into the newest of them, with their count and the oldest time."""
    lines: list[JournalLine] = []
    for entry in entries:
        if lines and _same_read(lines[-1], entry):
            last = lines[-1]
            lines[-1] = JournalLine(last.entry, last.count + 1, entry.at)
            continue
        lines.append(JournalLine(entry, changes=changes_of(entry.before, entry.after)))
    return lines


def _page(
    query: JournalQuery, rows: Sequence[AuditEntry], total: int, actors: list[str]
) -> JournalPage:
    page, per_page = bounded(query.page, query.per_page)
    return JournalPage(journal_lines(rows), total, page, per_page, actors)


def identity_journal(
    query: JournalQuery, *, uow: UnitOfWork, actor: Actor, rules: Rules
) -> JournalPage:
    """One identity's journal; its snapshots hold matricules: the read is audited
    (``view: audit``), as for the identity's sheet."""
    actor.require(Permission.AUDIT_READ)
    assert query.identity_id is not None
    with uow:
        uow.identities.get(query.identity_id)  # 404 for an unknown identity
        rows, total = uow.audit.search(query.rows()), uow.audit.count(query.rows())
        actors = uow.audit.actors(query.identity_id)
        note_view(query.identity_id, MatriculeView.AUDIT, uow=uow, actor=actor, rules=rules)
    return _page(query, rows, total, actors)


def global_journal(
    query: JournalQuery, *, uow: UnitOfWork, actor: Actor, rules: Rules
) -> JournalPage:
    """The journal of every row (identity-vigilance unit, administrators). The reads
    of the identities whose snapshots are shown are audited, one row each."""
    actor.require(Permission.AUDIT_READ)
    with uow:
        rows, total = uow.audit.search(query.rows()), uow.audit.count(query.rows())
        actors = uow.audit.actors(None)
        shown = [r.identity_id for r in rows if r.identity_id and (r.before or r.after)]
        if shown:
            note_views(shown, MatriculeView.AUDIT, uow=uow, actor=actor, rules=rules)
    return _page(query, rows, total, actors)
