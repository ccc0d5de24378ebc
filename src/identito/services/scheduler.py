"""One wake-up of the verification scheduler (``identito serve``).

Several serve processes may run side by side: each wakes up, but only the one that
takes the database lease ``verification`` works; it renews the lease between
batches and gives it back when done. A process that dies keeps the lease only
until it expires, after which another one resumes the unfinished run (the state
is in the database, none in the process).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from identito.domain.permissions import Actor
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


def _renew(uow: UnitOfWork, holder: str, seconds: float, rules: Rules, actor: Actor) -> bool:
    now = rules.now()
    with uow:
        taken = uow.leases.acquire(LEASE, holder, now, now + timedelta(seconds=seconds))
        uow.commit(actor, now)
    return taken
