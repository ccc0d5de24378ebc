"""INSi routes: recover the INS, decide on a comparison, read the trace, worklists.

A teleservice failure is not an HTTP error of this API: the call is traced and
the answer is ``200`` with ``"outcome": "error"``, a ``code`` and a French
``message`` (docs/insi-flow.md). Refusals before any call (permission, doubtful
identity, provisional identity refused by the settings) are problem details.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from identito.bootstrap import Container
from identito.entrypoints.api.deps import ActorDep, ContainerDep, RulesDep, UowDep
from identito.entrypoints.api.errors import problem_responses
from identito.entrypoints.api.schemas import IdentityPublic
from identito.services import insi as service
from identito.services.insi_indicators import InsiIndicators, insi_indicators
from identito.services.insi_records import InsiCall
from identito.services.insi_worklist import (
    WorklistProgress,
    open_worklist,
    run_worklist,
    worklist_progress,
)
from identito.services.teleservice import Teleservice

router = APIRouter(tags=["INSi"])


def get_teleservice(container: ContainerDep) -> Teleservice:
    if container.teleservice is None:
        raise HTTPException(503, "Aucun téléservice INSi n'est configuré sur ce serveur.")
    return container.teleservice


TeleserviceDep = Annotated[Teleservice, Depends(get_teleservice)]


# -- schemas -------------------------------------------------------------------------------


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CardInput(_Input):
    nir: str | None = Field(default=None, description="NIR du titulaire de la carte Vitale.")
    birth_date: str | None = Field(default=None, description="Date de naissance du bénéficiaire.")
    rank: int | str | None = Field(default=None, description="Rang du bénéficiaire sur la carte.")


class RecoverRequest(_Input):
    mode: str = Field(description="« traits » ou « card » (carte Vitale).")
    card: CardInput | None = None


class CreateFromInsiRequest(RecoverRequest):
    traits: dict[str, Any] | None = Field(
        default=None, description="Traits saisis (mode traits), comme pour créer une identité."
    )


class AcceptRequest(_Input):
    expected_version: int | None = Field(
        default=None, description="Version de l'identité affichée avec la comparaison."
    )


class RejectRequest(_Input):
    reason: str | None = None


class InsiCallPublic(BaseModel):
    id: UUID
    attempt_id: UUID
    sequence: int
    identity_id: UUID | None
    actor: str
    at: datetime
    mode: str
    authentication: str
    automatic: bool
    outcome: str
    code: str | None
    message: str | None
    query: dict[str, Any]
    duration_ms: float | None
    comparison: dict[str, Any] | None
    similarity: float | None
    applied: bool
    decision: str | None
    decided_by: str | None
    decided_at: datetime | None

    @classmethod
    def render(cls, call: InsiCall) -> InsiCallPublic:
        values = {k: v for k, v in vars(call).items() if k in cls.model_fields}
        values.update(
            outcome=call.outcome.value,
            code=call.error_code,
            decision=call.decision.value if call.decision else None,
        )
        return cls(**values)


class InsiCallList(BaseModel):
    items: list[InsiCallPublic]


class RecoveryPublic(BaseModel):
    call_id: UUID
    outcome: Literal["00", "01", "02", "error"]
    local: dict[str, str | None] | None
    insi: dict[str, str | None] | None
    differences: list[str]
    similarity: float | None
    applied: bool
    decision: str | None
    code: str | None = None
    message: str | None = None
    warnings: list[str]
    calls: int = Field(description="Nombre d'appels faits pour cette récupération.")
    identity: IdentityPublic | None = None

    @classmethod
    def render(cls, result: service.RecoveryResult, actor: Any) -> RecoveryPublic:
        call, comparison = result.call, result.comparison
        return cls(
            call_id=call.id,
            outcome=call.outcome.value,
            local=comparison.side("local") if comparison else None,
            insi=comparison.side("insi") if comparison else None,
            differences=list(comparison.differences) if comparison else [],
            similarity=comparison.similarity if comparison else None,
            applied=call.applied,
            decision=call.decision.value if call.decision else None,
            code=call.error_code,
            message=call.message,
            warnings=list(result.warnings),
            calls=len(result.calls),
            identity=IdentityPublic.render(result.identity, actor) if result.identity else None,
        )


class WorklistCreate(_Input):
    identity_ids: list[UUID] | None = None
    query: Literal["without-ins"] | None = None
    label: str | None = None


class WorklistPublic(BaseModel):
    id: UUID
    label: str
    source: str
    created_by: str
    created_at: datetime
    finished_at: datetime | None
    total: int
    processed: int
    states: dict[str, int]
    outcomes: dict[str, int]
    applied: int
    resumed: bool = False

    @classmethod
    def render(cls, progress: WorklistProgress, resumed: bool = False) -> WorklistPublic:
        worklist = progress.worklist
        return cls(
            **{k: v for k, v in vars(worklist).items() if k in cls.model_fields},
            processed=progress.processed,
            states=progress.states,
            outcomes=progress.outcomes,
            applied=progress.applied,
            resumed=resumed,
        )


class InsiIndicatorsPublic(BaseModel):
    since: datetime
    outcomes_by_month: dict[str, dict[str, int]]
    first_recoveries: int
    not_qualified: dict[str, int]
    not_qualified_rate: float

    @classmethod
    def render(cls, indicators: InsiIndicators) -> InsiIndicatorsPublic:
        return cls(**vars(indicators), not_qualified_rate=indicators.not_qualified_rate)


# -- routes --------------------------------------------------------------------------------

IDENTITY = "/identities/{identity_id}/insi"


@router.post(
    f"{IDENTITY}/recover",
    response_model=RecoveryPublic,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Récupérer l'INS d'une identité (appel INSi par carte Vitale ou par traits)",
)
def recover(
    identity_id: UUID,
    body: RecoverRequest,
    actor: ActorDep,
    uow: UowDep,
    rules: RulesDep,
    teleservice: TeleserviceDep,
) -> RecoveryPublic:
    result = service.recover_ins(
        identity_id,
        mode=body.mode,
        card=body.card.model_dump() if body.card else None,
        uow=uow,
        actor=actor,
        rules=rules,
        teleservice=teleservice,
    )
    return RecoveryPublic.render(result, actor)


@router.post(
    f"{IDENTITY}/calls/{{call_id}}/accept",
    response_model=RecoveryPublic,
    responses=problem_responses(401, 403, 404, 409, 412, 422),
    summary="Intégrer les traits INSi d'un appel en attente de confirmation",
)
def accept(
    identity_id: UUID,
    call_id: UUID,
    actor: ActorDep,
    uow: UowDep,
    rules: RulesDep,
    body: AcceptRequest | None = None,
) -> RecoveryPublic:
    result = service.accept_insi_call(
        identity_id,
        call_id,
        expected_version=body.expected_version if body else None,
        uow=uow,
        actor=actor,
        rules=rules,
    )
    return RecoveryPublic.render(result, actor)


@router.post(
    f"{IDENTITY}/calls/{{call_id}}/reject",
    response_model=InsiCallPublic,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Refuser l'identité renvoyée par INSi (rien n'est intégré, la décision est tracée)",
)
def reject(
    identity_id: UUID,
    call_id: UUID,
    actor: ActorDep,
    uow: UowDep,
    rules: RulesDep,
    body: RejectRequest | None = None,
) -> InsiCallPublic:
    call = service.reject_insi_call(
        identity_id,
        call_id,
        reason=body.reason if body else None,
        uow=uow,
        actor=actor,
        rules=rules,
    )
    return InsiCallPublic.render(call)


@router.get(
    f"{IDENTITY}/calls",
    response_model=InsiCallList,
    responses=problem_responses(401, 403, 404, 422),
    summary="Appels INSi tracés pour une identité (sans les messages bruts)",
)
def list_calls(identity_id: UUID, actor: ActorDep, uow: UowDep, rules: RulesDep) -> InsiCallList:
    calls = service.list_insi_calls(identity_id, uow=uow, actor=actor, rules=rules)
    return InsiCallList(items=[InsiCallPublic.render(c) for c in calls])


@router.get(
    "/insi/calls/{call_id}/{which}",
    response_class=Response,
    responses={
        200: {"content": {"application/xml": {}}},
        **problem_responses(401, 403, 404, 422),
    },
    summary="Message SOAP brut d'un appel INSi, tel qu'envoyé ou reçu (traçabilité)",
)
def raw_message(
    call_id: UUID,
    which: Literal["request", "response"],
    actor: ActorDep,
    uow: UowDep,
    rules: RulesDep,
) -> Response:
    call = service.get_insi_call(call_id, uow=uow, actor=actor, rules=rules)
    content = call.request if which == "request" else call.response
    if content is None:
        raise HTTPException(404, "Aucun message brut n'a été échangé lors de cet appel.")
    return Response(content, media_type="application/xml")


@router.post(
    "/insi/recover",
    response_model=RecoveryPublic,
    responses=problem_responses(401, 403, 422),
    summary="Créer une identité à partir de la réponse INSi (carte Vitale ou traits)",
)
def create_from_insi(
    body: CreateFromInsiRequest,
    actor: ActorDep,
    uow: UowDep,
    rules: RulesDep,
    teleservice: TeleserviceDep,
    response: Response,
) -> RecoveryPublic:
    result = service.create_identity_from_insi(
        mode=body.mode,
        card=body.card.model_dump() if body.card else None,
        traits=body.traits,
        uow=uow,
        actor=actor,
        rules=rules,
        teleservice=teleservice,
    )
    if result.identity is not None:
        response.status_code = status.HTTP_201_CREATED
        response.headers["Location"] = f"/api/v1/identities/{result.identity.id}"
    return RecoveryPublic.render(result, actor)


@router.post(
    "/insi/worklists",
    response_model=WorklistPublic,
    responses=problem_responses(401, 403, 422),
    summary="Créer (ou retrouver, si inachevée) une liste de travail INSi",
)
def create_worklist(
    body: WorklistCreate, actor: ActorDep, uow: UowDep, rules: RulesDep, response: Response
) -> WorklistPublic:
    worklist, resumed = open_worklist(
        identity_ids=body.identity_ids,
        query=body.query,
        label=body.label,
        uow=uow,
        actor=actor,
        rules=rules,
    )
    response.status_code = status.HTTP_200_OK if resumed else status.HTTP_201_CREATED
    progress = worklist_progress(worklist.id, uow=uow, actor=actor, rules=rules)
    return WorklistPublic.render(progress, resumed)


@router.post(
    "/insi/worklists/{worklist_id}/run",
    response_model=WorklistPublic,
    status_code=status.HTTP_202_ACCEPTED,
    responses=problem_responses(401, 403, 404, 422),
    summary="Lancer (ou reprendre) une liste de travail en tâche de fond",
)
def start_worklist(
    worklist_id: UUID,
    actor: ActorDep,
    container: ContainerDep,
    rules: RulesDep,
    uow: UowDep,
    teleservice: TeleserviceDep,
    tasks: BackgroundTasks,
) -> WorklistPublic:
    progress = worklist_progress(worklist_id, uow=uow, actor=actor, rules=rules)
    tasks.add_task(_run, container, worklist_id, actor, teleservice)
    return WorklistPublic.render(progress)


def _run(container: Container, worklist_id: UUID, actor: Any, teleservice: Teleservice) -> None:
    run_worklist(
        worklist_id,
        uow=container.uow_factory(),
        actor=actor,
        rules=container.rules,
        teleservice=teleservice,
    )


@router.get(
    "/insi/worklists/{worklist_id}",
    response_model=WorklistPublic,
    responses=problem_responses(401, 403, 404, 422),
    summary="Avancement d'une liste de travail INSi",
)
def get_worklist(
    worklist_id: UUID, actor: ActorDep, uow: UowDep, rules: RulesDep
) -> WorklistPublic:
    progress = worklist_progress(worklist_id, uow=uow, actor=actor, rules=rules)
    return WorklistPublic.render(progress)


@router.get(
    "/insi/indicators",
    response_model=InsiIndicatorsPublic,
    responses=problem_responses(401, 403, 422),
    summary="Indicateurs INSi : résultats par mois, identités non qualifiées par motif",
)
def indicators(
    actor: ActorDep, uow: UowDep, rules: RulesDep, months: Annotated[int, Query(ge=1, le=60)] = 12
) -> InsiIndicatorsPublic:
    return InsiIndicatorsPublic.render(
        insi_indicators(uow=uow, actor=actor, rules=rules, months=months)
    )
