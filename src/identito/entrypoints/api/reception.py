"""``POST /api/v1/hl7v2``: an HL7 v2 ADT message (ER7, ``text/plain``) answered by its ACK.

The token's role must be allowed to receive (``messages:receive``: interface accounts,
administrators), else 403 (problem details). An interface account may send only as
the domains it is declared for (MSH-3/MSH-4): another one gets a NACK ``AR`` with
status 403, audited, nothing stored."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from identito.domain.permissions import Permission
from identito.entrypoints.api.deps import ActorDep, ContainerDep, requires
from identito.entrypoints.api.errors import problem_responses
from identito.entrypoints.reception_flow import handle_hl7v2

router = APIRouter(tags=["Réception"])
HL7_MEDIA_TYPE = "x-application/hl7-v2+er7"
_REFUSALS = problem_responses(401, 403)
_REFUSALS[403]["content"][HL7_MEDIA_TYPE] = {}
_REFUSALS[403]["description"] = (
    "Profil non habilité à la réception (problem details), ou émetteur non déclaré pour "
    "ce compte d'interface (ACK AR)"
)


@router.post(
    "/hl7v2",
    dependencies=[requires(Permission.MESSAGES_RECEIVE)],
    response_class=Response,
    responses={
        200: {"content": {HL7_MEDIA_TYPE: {}}, "description": "ACK AA"},
        400: {"content": {HL7_MEDIA_TYPE: {}}, "description": "ACK AE ou AR (segment ERR)"},
        **_REFUSALS,
    },
    openapi_extra={"requestBody": {"content": {"text/plain": {}}, "required": True}},
    summary="Recevoir un message HL7 v2 ADT (IHE PAM France) et répondre l'acquittement",
)
async def receive_hl7v2(request: Request, actor: ActorDep, container: ContainerDep) -> Response:
    body = await request.body()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = body.decode("iso-8859-15")
    from starlette.concurrency import run_in_threadpool

    answer = await run_in_threadpool(
        handle_hl7v2, text, container=container, actor=actor, size=len(body)
    )
    status = 200 if answer.code == "AA" else 403 if answer.refused else 400
    return Response(answer.ack, status_code=status, media_type=HL7_MEDIA_TYPE)
