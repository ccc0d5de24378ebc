"""One wake-up of the scheduler (``identito serve``): verification, then propagation.

Several serve processes may run side by side: each wakes up, but only the one that
takes the database lease ``verification`` works; it renews the lease between
batches and gives it back when done. The HL7 propagation (the outbox drain of
``identito outbox send``) has its own lease ``outbox``, so that a long campaign
held by one process does not delay the propagation done by another. A process
that dies keeps a lease only until it expires, after which another one resumes
the unfinished work (the state is in the database, none in the process). The
duplicate scan (``duplicates_tick``) runs when due, every
``duplicate_scan_interval_hours`` (a preference), in one process at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from identito.domain.permissions import Actor
from identito.services.duplicate_reviews import Scanner, ScanSummary, run_scan
from identito.services.preferences import read_preferences
from identito.services.propagation import (
    MessageReceiver,
    OutboxReport,
    OutboxUnitOfWork,
    PropagationBuilder,
    send_outbox,
)
from identito.services.rules import Rules
from identito.services.teleservice import Teleservice
from identito.services.unit_of_work import UnitOfWork
from identito.services.verification_campaigns import (
    CampaignPaused,
    RunOptions,
    due_campaigns,
    open_run,
    run_campaign,
)
from identito.services.vigilance import process_nia_rechecks

LEASE = "verification"
OUTBOX_LEASE = "outbox"
DUPLICATES_LEASE = "duplicates-scan"


@dataclass
class TickReport:
    leased: bool = False
    runs: list[str] = field(default_factory=list)
    paused: list[str] = field(default_factory=list)
    nia_checked: int = 0


def scheduler_tick(
    *,
    holder: str,
    lease_seconds: float,
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
    teleservice: Teleservice,
    options: RunOptions | None = None,
) -> TickReport:
    report = TickReport()
    if not _renew(uow, holder, lease_seconds, rules, actor):
        return report
    report.leased = True
    try:
        for campaign in due_campaigns(uow=uow, actor=actor, rules=rules):
            run, _ = open_run(campaign.id, uow=uow, actor=actor, rules=rules)
            try:
                run_campaign(
                    run.id,
                    uow=uow,
                    actor=actor,
                    rules=rules,
                    teleservice=teleservice,
                    options=options,
                    keep_going=lambda: _renew(uow, holder, lease_seconds, rules, actor),
                )
            except CampaignPaused as error:
                report.paused.append(error.message)
                continue
            report.runs.append(str(run.id))
        report.nia_checked = process_nia_rechecks(
            uow=uow, actor=actor, rules=rules, teleservice=teleservice
        )
    finally:
        with uow:
            uow.leases.release(LEASE, holder)
            uow.commit(actor, rules.now())
    return report


@dataclass
class OutboxTickReport:
    leased: bool = False
    outbox: OutboxReport | None = None


def outbox_tick(
    *,
    holder: str,
    lease_seconds: float,
    uow: OutboxUnitOfWork,
    actor: Actor,
    rules: Rules,
    receivers: Sequence[MessageReceiver],
    build: PropagationBuilder,
    limit: int = 500,
) -> OutboxTickReport:
    """Drain the outbox to the HL7 receivers when this process holds the lease ``outbox``.

    Nothing happens without receivers: the rows then wait (``identito outbox send``
    or a later configuration delivers them).
    """
    report = OutboxTickReport()
    if not receivers or not _renew(uow, holder, lease_seconds, rules, actor, OUTBOX_LEASE):
        return report
    report.leased = True
    try:
        report.outbox = send_outbox(
            uow=uow, actor=actor, rules=rules, receivers=receivers, build=build, limit=limit
        )
    finally:
        with uow:
            uow.leases.release(OUTBOX_LEASE, holder)
            uow.commit(actor, rules.now())
    return report


def _renew(
    uow: UnitOfWork, holder: str, seconds: float, rules: Rules, actor: Actor, name: str = LEASE
) -> bool:
    now = rules.now()
    with uow:
        taken = uow.leases.acquire(name, holder, now, now + timedelta(seconds=seconds))
        uow.commit(actor, now)
    return taken


# -- duplicate scan (issue 7) -------------------------------------------------------------------


def duplicates_tick(
    *,
    holder: str,
    uow_factory: Callable[[], UnitOfWork],
    actor: Actor,
    rules: Rules,
    scan: Scanner,
) -> ScanSummary | None:
    """Run the duplicate scan when it is due: at most once per
    ``duplicate_scan_interval_hours`` (a preference; 0 = never) across all processes.

    The lease ``duplicates-scan`` is the schedule: it is taken for the whole
    interval under a name unique to this run, so no process (this one included)
    takes it again before it expires; it is not given back.
    """
    now = rules.now()
    with uow_factory() as uow:
        hours = read_preferences(uow, rules).duplicate_scan_interval_hours
        if hours <= 0:
            return None
        until = now + timedelta(hours=hours)
        due = uow.leases.acquire(DUPLICATES_LEASE, f"{holder}@{now.isoformat()}", now, until)
        uow.commit(actor, now)
    if not due:
        return None
    _, summary = run_scan(uow_factory=uow_factory, actor=actor, rules=rules, scan=scan)
    return summary
