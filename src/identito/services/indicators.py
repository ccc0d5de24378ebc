"""Steering indicators (indicateurs de pilotage): identities by status and attribute.

Design for a million identities: the unit of work turns the audit rows of every
commit into *net monthly changes* of the counts (``indicator_deltas``: an identity
created as PROV adds 1 to (month, status, PROV); a validation subtracts 1 from PROV
and adds 1 to VALI) and writes them in the same transaction into a tiny table of
(month, dimension, value) counters. The count at the end of a month is the sum of
the changes up to that month: a few hundred rows whatever the number of identities,
never a scan of the identities or of the audit log.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

from identito.domain.duplicate_reviews import ReviewStatus
from identito.domain.permissions import Actor, Permission
from identito.domain.status import (
    ATTRIBUTE_LABELS,
    STATUS_LABELS,
    IdentityAttribute,
    IdentityStatus,
)
from identito.services.rules import Rules
from identito.services.unit_of_work import AuditEntry, IndicatorKey, UnitOfWork

STATUS = "status"
ATTRIBUTE = "attribute"


def month_of(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m")


def indicator_deltas(entries: Iterable[AuditEntry]) -> dict[IndicatorKey, int]:
    """Net changes of the counts carried by audit rows (their before/after snapshots)."""
    deltas: Counter[IndicatorKey] = Counter()
    for entry in entries:
        if entry.identity_id is None:
            continue
        month = None
        for snapshot, sign in ((entry.before, -1), (entry.after, 1)):
            if not snapshot or "status" not in snapshot:
                continue
            month = month or month_of(entry.at)
            deltas[(month, STATUS, str(snapshot["status"]))] += sign
            for attribute in snapshot.get("attributes") or ():
                deltas[(month, ATTRIBUTE, str(attribute))] += sign
    return {key: value for key, value in deltas.items() if value}


@dataclass(frozen=True)
class Share:
    code: str
    label: str
    count: int
    share: float  # 0..1 of the total


@dataclass(frozen=True)
class Snapshot:
    """Counts at the end of ``month`` (``YYYY-MM``), or now for the current month."""

    month: str
    total: int
    statuses: tuple[Share, ...]
    attributes: tuple[Share, ...]


@dataclass(frozen=True)
class Indicators:
    current: Snapshot
    months: tuple[Snapshot, ...]  # oldest first, the current month last


def last_months(today: date, count: int) -> list[str]:
    year, month = today.year, today.month
    months = []
    for _ in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def read_indicators(*, uow: UnitOfWork, actor: Actor, rules: Rules, months: int = 12) -> Indicators:
    actor.require(Permission.INDICATORS_READ)
    with uow:
        changes = uow.indicators.monthly()
    wanted = last_months(rules.now().date(), max(1, min(months, 120)))
    snapshots = tuple(_snapshot(month, changes) for month in wanted)
    return Indicators(current=snapshots[-1], months=snapshots)


def _snapshot(month: str, changes: Mapping[IndicatorKey, int]) -> Snapshot:
    totals: Counter[tuple[str, str]] = Counter()
    for (at, dimension, value), delta in changes.items():
        if at <= month:
            totals[(dimension, value)] += delta
    total = sum(totals[(STATUS, s.value)] for s in IdentityStatus)

    def share(dimension: str, code: str, label: str) -> Share:
        count = totals[(dimension, code)]
        return Share(code, label, count, count / total if total else 0.0)

    return Snapshot(
        month,
        total,
        tuple(share(STATUS, s.value, STATUS_LABELS[s]) for s in IdentityStatus),
        tuple(share(ATTRIBUTE, a.value, ATTRIBUTE_LABELS[a]) for a in IdentityAttribute),
    )


# -- duplicates (issue 7) --------------------------------------------------------------------


@dataclass(frozen=True)
class DuplicateIndicators:
    """The duplicate review worklist and the collisions, counted now.

    ``found``: every pair ever put in the worklist; ``pending``: awaiting a
    decision; ``to_merge``: confirmed duplicates (DOUA) not merged yet;
    ``resolved``: closed (merged, not a duplicate, homonyms, collision);
    ``collisions``: active identities carrying COLP or COLV.
    """

    found: int
    pending: int
    to_merge: int
    resolved: int
    collisions: int
    by_status: dict[str, int]


def duplicate_indicators(*, uow: UnitOfWork, actor: Actor, rules: Rules) -> DuplicateIndicators:
    """Two small counting queries (an index on the status, one on the collision)."""
    actor.require(Permission.INDICATORS_READ)
    with uow:
        counts = uow.duplicate_reviews.counts()
        collisions = uow.duplicate_reviews.collision_count()
    pending = counts.get(ReviewStatus.PENDING, 0)
    to_merge = counts.get(ReviewStatus.DUPLICATE, 0)
    found = sum(counts.values())
    return DuplicateIndicators(
        found=found,
        pending=pending,
        to_merge=to_merge,
        resolved=found - pending - to_merge,
        collisions=collisions,
        by_status={s.value: counts.get(s, 0) for s in ReviewStatus},
    )
