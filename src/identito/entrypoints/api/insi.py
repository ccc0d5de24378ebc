"""INSi routes: recover the INS, decide on a comparison, read the trace, worklists.

A teleservice failure is not an HTTP error of this API: the call is traced and
the answer is ``200`` with ``"outcome": "error"``, a ``code`` and a French
``message`` (docs/insi-flow.md). Refusals before any call (permission, doubtful
identity, provisional identity refused by the settings) are problem details.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, Query, Response, status

from identito.bootstrap import Container
from identito.domain.permissions import Permission
from identito.entrypoints.api.deps import ActorDep, ContainerDep, RulesDep, UowDep, requires
from identito.entrypoints.api.errors import problem_responses
from identito.entrypoints.api.insi_schemas import (
    AcceptRequest,
    CreateFromInsiRequest,
    InsiCallList,
    InsiCallPublic,
    InsiIndicatorsPublic,
    RecoverRequest,
    RecoveryPublic,
    RejectRequest,
    WorklistCreate,
    WorklistPublic,
)
from identito.services import insi as service
from identito.services.insi_indicators import insi_indicators
from identito.services.insi_worklist import open_worklist, run_worklist, worklist_progress
from identito.services.teleservice import Teleservice

router = APIRouter(tags=["INSi"])


def get_teleservice(container: ContainerDep) -> Teleservice:
    if container.teleservice is None:
        raise HTTPException(503, "Aucun téléservice INSi n'est configuré sur ce serveur.")
    return container.teleservice


TeleserviceDep = Annotated[Teleservice, Depends(get_teleservice)]


# -- routes --------------------------------------------------------------------------------

IDENTITY = "/identities/{identity_id}/insi"


@router.post(
    f"{IDENTITY}/recover",
    dependencies=[requires(Permission.INSI_CALL)],
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
    dependencies=[requires(Permission.INSI_CALL)],
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
    dependencies=[requires(Permission.INSI_CALL)],
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
    dependencies=[requires(Permission.IDENTITY_CREATE, Permission.INSI_CALL)],
    response_model=RecoveryPublic,
    responses={
        201: {"model": RecoveryPublic, "description": "Identité créée (200 : rien de créé)"},
        **problem_responses(401, 403, 409, 422),
    },
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
    if result.held is not None:  # R-DU-03: traced refused and the pair listed; a 409 problem
        raise result.held
    if result.identity is not None:
        response.status_code = status.HTTP_201_CREATED
        response.headers["Location"] = f"/api/v1/identities/{result.identity.id}"
    return RecoveryPublic.render(result, actor)


@router.post(
    "/insi/worklists",
    dependencies=[requires(Permission.INSI_CALL)],
    response_model=WorklistPublic,
    responses={
        201: {"model": WorklistPublic, "description": "Liste créée (200 : liste reprise)"},
        **problem_responses(401, 403, 422),
    },
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
    dependencies=[requires(Permission.INSI_CALL)],
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
