"""INS verification routes: unit verification, campaigns, identity-vigilance worklists.

As for recovery, a teleservice failure is not an HTTP error: the call is traced
and the answer is ``200`` with ``"result": "error"``, a ``code`` and a message.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, BackgroundTasks, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from identito.bootstrap import Container
from identito.domain.permissions import Actor, Permission
from identito.entrypoints.api.deps import ActorDep, ContainerDep, RulesDep, UowDep, requires
from identito.entrypoints.api.errors import problem_responses
from identito.entrypoints.api.insi import TeleserviceDep
from identito.services import verification_campaigns as campaigns
from identito.services.verification import VerificationOutcome, verify_ins
from identito.services.verification_indicators import verification_indicators
from identito.services.verification_records import Campaign, VigilanceEntry
from identito.services.vigilance import list_entries, resolve_entry

router = APIRouter(tags=["Vérification INS"])


class VerificationPublic(BaseModel):
    call_id: UUID
    result: Literal["OK", "KO", "error"]
    identity_id: UUID
    status: str | None = Field(description="Statut de l'identité après la vérification.")
    code: str | None = None
    message: str | None = None
    entry_id: UUID | None = Field(
        default=None, description="Élément de la liste « vérification INSi KO » créé."
    )
    note: str | None = None

    @classmethod
    def render(cls, identity_id: UUID, outcome: VerificationOutcome) -> VerificationPublic:
        return cls(
            call_id=outcome.call.id,
            result=outcome.result.value,  # type: ignore[arg-type]
            identity_id=identity_id,
            status=outcome.identity.status.value if outcome.identity else None,
            code=outcome.call.error_code,
            message=outcome.call.message,
            entry_id=outcome.entry.id if outcome.entry else None,
            note=outcome.note,
        )


@router.post(
    "/identities/{identity_id}/insi/verify",
    dependencies=[requires(Permission.INSI_CALL)],
    response_model=VerificationPublic,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Vérifier l'INS d'une identité auprès du téléservice INSi",
)
def verify(
    identity_id: UUID,
    actor: ActorDep,
    uow: UowDep,
    rules: RulesDep,
    teleservice: TeleserviceDep,
) -> VerificationPublic:
    outcome = verify_ins(identity_id, uow=uow, actor=actor, rules=rules, teleservice=teleservice)
    return VerificationPublic.render(identity_id, outcome)


# -- campaigns ---------------------------------------------------------------------------------


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CampaignCreate(_Input):
    name: str = Field(max_length=200)
    perimeter: Literal["stale", "nia", "query"] = "stale"
    years: int = Field(5, ge=1, le=campaigns.MAX_YEARS)
    query: str | None = Field(None, max_length=100)
    frequency_days: int | None = Field(None, ge=1, le=3_660)
    batch_size: int = Field(500, ge=1, le=10_000)
    use_batch: bool = True
    unit_rate: float = Field(10.0, gt=0, le=1_000)


class CampaignPublic(BaseModel):
    id: UUID
    name: str
    perimeter: str
    perimeter_label: str
    frequency_days: int | None
    next_run_at: datetime | None
    run_id: UUID | None = None
    total: int | None = None
    done: int | None = None
    results: dict[str, int] = Field(default_factory=dict)
    finished_at: datetime | None = None

    @classmethod
    def render(cls, item: campaigns.RunProgress | Campaign) -> CampaignPublic:
        campaign = item.campaign if isinstance(item, campaigns.RunProgress) else item
        values: dict[str, Any] = {
            "id": campaign.id,
            "name": campaign.name,
            "perimeter": campaign.perimeter.value,
            "perimeter_label": campaign.perimeter_label,
            "frequency_days": campaign.frequency_days,
            "next_run_at": campaign.next_run_at,
        }
        if isinstance(item, campaigns.RunProgress):
            values.update(
                run_id=item.run.id,
                total=item.run.total,
                done=item.done,
                results=item.results,
                finished_at=item.run.finished_at,
            )
        return cls(**values)


@router.post(
    "/verification/campaigns",
    dependencies=[requires(Permission.INSI_CALL)],
    response_model=CampaignPublic,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 422),
    summary="Créer une campagne de vérification en masse",
)
def create_campaign(
    body: CampaignCreate, actor: ActorDep, uow: UowDep, rules: RulesDep
) -> CampaignPublic:
    campaign = campaigns.create_campaign(**body.model_dump(), uow=uow, actor=actor, rules=rules)
    return CampaignPublic.render(campaign)


@router.get(
    "/verification/campaigns",
    response_model=list[CampaignPublic],
    responses=problem_responses(401, 403),
    summary="Campagnes de vérification et avancement de leur dernier passage",
)
def list_campaigns(actor: ActorDep, uow: UowDep, rules: RulesDep) -> list[CampaignPublic]:
    found = campaigns.list_campaigns(uow=uow, actor=actor, rules=rules)
    return [CampaignPublic.render(c) for c in found]


@router.post(
    "/verification/campaigns/{campaign_id}/run",
    dependencies=[requires(Permission.INSI_CALL)],
    response_model=CampaignPublic,
    status_code=status.HTTP_202_ACCEPTED,
    responses=problem_responses(401, 403, 404),
    summary="Lancer (ou reprendre) une campagne en tâche de fond",
)
def start_campaign(
    campaign_id: UUID,
    actor: ActorDep,
    container: ContainerDep,
    uow: UowDep,
    rules: RulesDep,
    teleservice: TeleserviceDep,
    tasks: BackgroundTasks,
) -> CampaignPublic:
    run, _ = campaigns.open_run(campaign_id, uow=uow, actor=actor, rules=rules)
    tasks.add_task(_run, container, run.id, actor)
    return CampaignPublic.render(campaigns.run_progress(run.id, uow=uow, actor=actor, rules=rules))


def _run(container: Container, run_id: UUID, actor: Actor) -> None:
    assert container.teleservice is not None
    with contextlib.suppress(campaigns.CampaignPaused):  # traced; resumed later
        campaigns.run_campaign(
            run_id,
            uow=container.uow_factory(),
            actor=actor,
            rules=container.rules,
            teleservice=container.teleservice,
        )


@router.get(
    "/verification/campaigns/{campaign_id}",
    response_model=CampaignPublic,
    responses=problem_responses(401, 403, 404),
    summary="Avancement du dernier passage d'une campagne",
)
def campaign_progress(
    campaign_id: UUID, actor: ActorDep, uow: UowDep, rules: RulesDep
) -> CampaignPublic:
    return CampaignPublic.render(
        campaigns.latest_run(campaign_id, uow=uow, actor=actor, rules=rules)
    )


@router.get(
    "/verification/runs/{run_id}/report.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}, **problem_responses(401, 403, 404)},
    summary="Rapport CSV d'un passage (OK, KO, erreurs, liste des KO)",
)
def run_report(run_id: UUID, actor: ActorDep, uow: UowDep, rules: RulesDep) -> Response:
    text = campaigns.campaign_report(run_id, uow=uow, actor=actor, rules=rules)
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="verification-{run_id}.csv"'},
    )


@router.get(
    "/verification/indicators",
    responses=problem_responses(401, 403),
    summary="Résultats des vérifications INS par mois (unitaires et campagnes)",
)
def indicators(
    actor: ActorDep, uow: UowDep, rules: RulesDep, months: Annotated[int, Query(ge=1, le=60)] = 12
) -> dict[str, Any]:
    found = verification_indicators(uow=uow, actor=actor, rules=rules, months=months)
    return {"since": found.since, "by_month": found.by_month, "totals": found.totals}


# -- worklists -----------------------------------------------------------------------------------


class EntryPublic(BaseModel):
    id: UUID
    kind: str
    created_at: datetime
    identity_id: UUID | None
    message_id: UUID | None
    summary: dict[str, Any]
    resolved_at: datetime | None
    resolved_by: str | None
    decision: str | None
    comment: str | None

    @classmethod
    def render(cls, entry: VigilanceEntry) -> EntryPublic:
        values = {k: v for k, v in vars(entry).items() if k in cls.model_fields}
        values.update(
            kind=entry.kind.value, decision=entry.decision.value if entry.decision else None
        )
        return cls(**values)


class ResolveRequest(_Input):
    decision: str
    comment: str | None = None


@router.get(
    "/vigilance/entries",
    response_model=list[EntryPublic],
    responses=problem_responses(401, 403, 422),
    summary="Listes de travail de l'identitovigilance (KO, reçues à traiter, NIA)",
)
def entries(
    actor: ActorDep,
    uow: UowDep,
    rules: RulesDep,
    kind: str | None = None,
    open_only: bool = True,
) -> list[EntryPublic]:
    found = list_entries(kind, open_only=open_only, uow=uow, actor=actor, rules=rules)
    return [EntryPublic.render(e) for e in found]


@router.post(
    "/vigilance/entries/{entry_id}/resolve",
    dependencies=[requires(Permission.IDENTITY_UPDATE_PROTECTED)],
    response_model=EntryPublic,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Traiter un élément de liste de travail (décision tracée)",
)
def resolve(
    entry_id: UUID,
    body: ResolveRequest,
    actor: ActorDep,
    uow: UowDep,
    rules: RulesDep,
    container: ContainerDep,
) -> EntryPublic:
    entry = resolve_entry(
        entry_id,
        body.decision,
        comment=body.comment,
        uow=uow,
        actor=actor,
        rules=rules,
        teleservice=container.teleservice,
    )
    return EntryPublic.render(entry)
