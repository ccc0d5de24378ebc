"""Mass verification campaigns: configurable, run in batches, resumable.

This module configures and schedules campaigns, and is the entry point of the whole
feature (it re-exports the names of its neighbours):

* ``services.verification_runs``: ``open_run``, ``run_campaign``, ``run_progress``,
  ``latest_run`` and ``RunProgress``;
* ``services.verification_runner``: the loop of a run (batches deposited and fetched,
  or unit calls), resumable at any point; ``RunOptions``, ``CampaignPaused``;
* ``services.verification_trace``: the INSi call records of the batch operations;
* ``services.verification_report``: ``campaign_report``, the CSV report of a run.
"""

from __future__ import annotations

from identito.domain.errors import InvalidInput
from identito.domain.events import AuditAction
from identito.domain.permissions import Actor, Permission
from identito.services.rules import Rules
from identito.services.unit_of_work import AuditEntry, UnitOfWork
from identito.services.verification_records import SAVED_QUERIES, Campaign, Perimeter
from identito.services.verification_report import REPORT_RESULTS, campaign_report
from identito.services.verification_runner import (
    TRANSIENT_ERRORS,
    UNKNOWN_BATCH_CODES,
    CampaignPaused,
    RunOptions,
)
from identito.services.verification_runs import (
    RunProgress,
    latest_run,
    open_run,
    run_campaign,
    run_progress,
)

__all__ = [
    "REPORT_RESULTS",
    "TRANSIENT_ERRORS",
    "UNKNOWN_BATCH_CODES",
    "CampaignPaused",
    "RunOptions",
    "RunProgress",
    "campaign_report",
    "create_campaign",
    "due_campaigns",
    "latest_run",
    "list_campaigns",
    "open_run",
    "run_campaign",
    "run_progress",
]


def create_campaign(
    *,
    name: str,
    perimeter: str,
    years: int = 5,
    query: str | None = None,
    frequency_days: int | None = None,
    batch_size: int = 500,
    use_batch: bool = True,
    unit_rate: float = 10.0,
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
) -> Campaign:
    actor.require(Permission.INSI_CALL)
    kind = _perimeter(perimeter, query)
    _check_numbers(years, batch_size, unit_rate, frequency_days)
    now = rules.now()
    campaign = Campaign(
        name=name.strip() or "Campagne de vérification",
        perimeter=kind,
        created_by=actor.username,
        created_at=now,
        years=years,
        query=query if kind is Perimeter.QUERY else None,
        frequency_days=frequency_days,
        batch_size=batch_size,
        use_batch=use_batch,
        unit_rate=unit_rate,
        next_run_at=now,
    )
    with uow:
        uow.campaigns.add(campaign)
        details = {"campaign_id": str(campaign.id), "perimeter": campaign.perimeter_label}
        uow.add_audit(
            AuditEntry(
                actor.username,
                now,
                AuditAction.VERIFICATION_CAMPAIGN_CREATED,
                None,
                details=details,
            )
        )
        uow.commit(actor, now)
    return campaign


def _perimeter(perimeter: str, query: str | None) -> Perimeter:
    try:
        kind = Perimeter(perimeter)
    except ValueError:
        known = ", ".join(p.value for p in Perimeter)
        raise InvalidInput.single("perimeter", "perimeter", f"Périmètres : {known}.") from None
    if kind is Perimeter.QUERY and query not in SAVED_QUERIES:
        known = ", ".join(SAVED_QUERIES)
        raise InvalidInput.single("query", "query_unknown", f"Requêtes connues : {known}.")
    return kind


#: The oldest verification a "stale" perimeter may look back to (a date stays computable).
MAX_YEARS = 150


def _check_numbers(years: int, batch_size: int, unit_rate: float, every: int | None) -> None:
    checks = (
        ("years", 1 <= years <= MAX_YEARS, f"Entre 1 et {MAX_YEARS} ans."),
        ("batch_size", 1 <= batch_size <= 10_000, "Taille de lot entre 1 et 10 000."),
        ("unit_rate", 0 < unit_rate <= 1_000, "Débit entre 0 et 1 000 appels par seconde."),
        ("frequency_days", every is None or 1 <= every <= 3_660, "Fréquence de 1 à 3 660 jours."),
    )
    for field_name, ok, message in checks:
        if not ok:
            raise InvalidInput.single(field_name, "out_of_range", message)


def list_campaigns(*, uow: UnitOfWork, actor: Actor, rules: Rules) -> list[RunProgress | Campaign]:
    """Each campaign with the progress of its latest run (or alone when never run)."""
    actor.require(Permission.INSI_CALL)
    found: list[RunProgress | Campaign] = []
    with uow:
        for campaign in uow.campaigns.all():
            runs = uow.campaigns.runs(campaign.id)
            if runs:
                found.append(RunProgress(campaign, runs[0], uow.campaigns.counts(runs[0].id)))
            else:
                found.append(campaign)
    return found


def due_campaigns(*, uow: UnitOfWork, actor: Actor, rules: Rules) -> list[Campaign]:
    """Active campaigns whose next run is due, or whose last run is unfinished."""
    actor.require(Permission.INSI_CALL)
    now = rules.now()
    with uow:
        due = []
        for campaign in uow.campaigns.all():
            if not campaign.active:
                continue
            unfinished = uow.campaigns.unfinished_run(campaign.id) is not None
            if unfinished or (campaign.next_run_at is not None and campaign.next_run_at <= now):
                due.append(campaign)
        return due
