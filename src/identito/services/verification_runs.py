"""The runs of a verification campaign: opened, driven to their end, followed.

``open_run`` fixes the identities of a run (its items, all ``pending``) or returns
the unfinished run of the campaign; ``run_campaign`` then drives the loop of
``services.verification_runner`` until nothing is left, it is told to stop, or INSi
fails (``CampaignPaused``: the run is resumed later, its state kept).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from uuid import UUID

from identito.domain.errors import NotFound
from identito.domain.events import AuditAction
from identito.domain.permissions import Actor, Permission
from identito.services.rules import Rules
from identito.services.teleservice import Teleservice
from identito.services.unit_of_work import AuditEntry, UnitOfWork
from identito.services.verification_records import Campaign, CampaignRun, VerificationResult
from identito.services.verification_runner import CampaignRunner, RunOptions


@dataclass(frozen=True)
class RunProgress:
    campaign: Campaign
    run: CampaignRun
    counts: dict[tuple[str, str | None], int]

    def _count(self, state: str | None = None, result: str | None = None) -> int:
        return sum(
            n
            for (s, r), n in self.counts.items()
            if (state is None or s == state) and (result is None or r == result)
        )

    @property
    def done(self) -> int:
        return self._count(state="done")

    @property
    def deposited(self) -> int:
        return self._count(state="deposited")

    @property
    def results(self) -> dict[str, int]:
        return {r.value: self._count(state="done", result=r.value) for r in VerificationResult}

    @property
    def finished(self) -> bool:
        return self.run.finished_at is not None


def open_run(
    campaign_id: UUID, *, uow: UnitOfWork, actor: Actor, rules: Rules
) -> tuple[CampaignRun, bool]:
    """The unfinished run of the campaign (resumed: True), else a new one."""
    actor.require(Permission.INSI_CALL)
    now = rules.now()
    with uow:
        campaign = uow.campaigns.get(campaign_id)
        existing = uow.campaigns.unfinished_run(campaign_id)
        if existing is not None:
            return existing, True
        run = CampaignRun(campaign_id, actor.username, now, 0)
        total = uow.campaigns.add_run(run, uow.campaigns.perimeter(campaign, now))
        run = replace(run, total=total)
        details = {"campaign_id": str(campaign_id), "run_id": str(run.id), "total": total}
        uow.add_audit(
            AuditEntry(
                actor.username, now, AuditAction.VERIFICATION_RUN_STARTED, None, details=details
            )
        )
        uow.commit(actor, now)
    return run, False


def run_progress(run_id: UUID, *, uow: UnitOfWork, actor: Actor, rules: Rules) -> RunProgress:
    actor.require(Permission.INSI_CALL)
    with uow:
        run = uow.campaigns.get_run(run_id)
        return RunProgress(uow.campaigns.get(run.campaign_id), run, uow.campaigns.counts(run_id))


def latest_run(campaign_id: UUID, *, uow: UnitOfWork, actor: Actor, rules: Rules) -> RunProgress:
    actor.require(Permission.INSI_CALL)
    with uow:
        runs = uow.campaigns.runs(campaign_id)
        if not runs:
            raise NotFound("Cette campagne n'a encore jamais été lancée.")
    return run_progress(runs[0].id, uow=uow, actor=actor, rules=rules)


def run_campaign(
    run_id: UUID,
    *,
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
    teleservice: Teleservice,
    options: RunOptions | None = None,
    on_progress: Callable[[int], None] | None = None,
    keep_going: Callable[[], bool] = lambda: True,
) -> RunProgress:
    """Process the run until it is finished, ``keep_going`` says stop, or INSi fails
    (``CampaignPaused``). ``on_progress`` receives the number of items just done."""
    actor.require(Permission.INSI_CALL)
    options = options or RunOptions()
    with uow:
        run = uow.campaigns.get_run(run_id)
        campaign = uow.campaigns.get(run.campaign_id)
    runner = CampaignRunner(campaign, run, uow, actor, rules, teleservice, options, on_progress)
    while run.finished_at is None and keep_going():
        if not runner.step():
            runner.finish()
            break
    return run_progress(run_id, uow=uow, actor=actor, rules=rules)
