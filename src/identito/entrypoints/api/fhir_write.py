"""FHIR input: ``POST /fhir/Patient`` and ``PUT /fhir/Patient/{id}`` of a FR Core Patient
(INS). The reception rules are those of HL7 v2 (``services.reception``); answers
and errors are FHIR: the Patient location, or an ``OperationOutcome`` in French.

The FHIR read API under the same prefix belongs to ``api/fhir.py``; these routes
are registered on the main application before its mount, so they win for writes.

The token's role must be allowed to receive (``messages:receive``), else 403
``forbidden``. The sender (the domain of the ``sender_patients`` link) is the
token's interface account: ``X-Identito-Sender``, when sent, must be one of its
declared domains (else 403, audited: a mismatch is refused, never ignored); absent,
its first declared domain. An administrator (no declaration) may still name any
sender with the header (``api:<user>`` without it); the audit names the account.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from identito.bootstrap import Container
from identito.domain.errors import DomainError, PermissionDenied
from identito.domain.ins_uniqueness import InsAlreadyHeld
from identito.domain.permissions import Actor, Permission
from identito.entrypoints.api.deps import ActorDep, ContainerDep, get_actor, requires
from identito.messages.fhir_reception import FhirRejected, parse_patient
from identito.services.reception import Reception, Sender, receive_identity, record_rejected
from identito.services.sender_checks import Claim, authorize_sender, fhir_sender
from identito.services.verification_records import ReceptionOutcome

router = APIRouter(
    prefix="/fhir",
    tags=["FHIR (écriture)"],
    dependencies=[Depends(get_actor), requires(Permission.MESSAGES_RECEIVE)],
)
FHIR_JSON = "application/fhir+json"
_STATUS = {
    ReceptionOutcome.INTEGRATED: 200,
    ReceptionOutcome.INTEGRATED_WITHOUT_INS: 200,
    ReceptionOutcome.APPLIED: 200,
    ReceptionOutcome.PENDING: 202,
    ReceptionOutcome.TRACED: 202,
    ReceptionOutcome.REJECTED: 422,
}


def outcome(status: int, severity: str, code: str, text: str, **extra: Any) -> JSONResponse:
    body = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": severity, "code": code, "diagnostics": text}],
    }
    return JSONResponse(body, status_code=status, media_type=FHIR_JSON, **extra)


async def _receive(request: Request, actor: Any, container: Any, method: str) -> JSONResponse:
    text = (await request.body()).decode("utf-8", errors="replace")
    named = request.headers.get("X-Identito-Sender")
    try:
        sender = await run_in_threadpool(_sender, actor, named, container, method)
    except PermissionDenied as error:  # SenderRefused too: audited
        return outcome(403, "error", "forbidden", error.message)
    try:
        reception = parse_patient(text, sender=sender, method=method)
    except FhirRejected as rejected:
        stored = Reception("fhir", text, sender, method)
        await run_in_threadpool(
            record_rejected, stored, str(rejected), uow=container.uow_factory(), actor=actor,
            rules=container.rules,
        )  # fmt: skip
        return outcome(422, "error", "invalid", str(rejected))
    try:
        result = await run_in_threadpool(
            receive_identity, reception, own_domain=container.settings.own_domain_senders,
            uow=container.uow_factory(), actor=actor, rules=container.rules,
            teleservice=container.teleservice,
        )  # fmt: skip
    except InsAlreadyHeld as error:  # R-DU-03: the matricule is another identity's
        return outcome(409, "error", "duplicate", error.message)
    except DomainError as error:
        return outcome(403 if error.__class__.__name__ == "PermissionDenied" else 409,
                       "error", "forbidden", error.message)  # fmt: skip
    severity = "information" if _STATUS[result.outcome] == 200 else "warning"
    headers = {"Location": f"/fhir/Patient/{result.identity_id}"} if result.identity_id else None
    code = "informational" if severity == "information" else "processing"
    text = f"{result.outcome.value} : {result.detail or ''}".strip()
    status = _STATUS[result.outcome]
    if status == 200 and method == "POST":
        status = 201
    return outcome(status, severity, code, text, headers=headers)


def _sender(actor: Actor, named: str | None, container: Container, method: str) -> Sender:
    """The sender of this write, once the account is allowed to send as it."""
    sender = fhir_sender(actor, named, uow=container.uow_factory())
    claim = Claim("fhir", sender, method)
    authorize_sender(actor, claim, uow=container.uow_factory(), rules=container.rules)
    return sender


class FhirJSONResponse(JSONResponse):
    media_type = FHIR_JSON


_OUTCOME = {"content": {FHIR_JSON: {"schema": {"type": "object"}}}}
_ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {**_OUTCOME, "description": "Intégré ou appliqué (OperationOutcome)"},
    202: {**_OUTCOME, "description": "En attente ou tracé (OperationOutcome)"},
    403: {**_OUTCOME, "description": "Habilitation insuffisante (OperationOutcome)"},
    409: {**_OUTCOME, "description": "Refusé par les règles (OperationOutcome)"},
    422: {**_OUTCOME, "description": "Patient illisible ou refusé (OperationOutcome)"},
}


@router.post(
    "/Patient",
    response_class=FhirJSONResponse,
    responses={**_ANSWERS, 201: {**_OUTCOME, "description": "Identité créée"}},
    summary="Recevoir un Patient FR Core (INS) : règles de réception",
)
async def create_patient(
    request: Request, actor: ActorDep, container: ContainerDep
) -> JSONResponse:
    return await _receive(request, actor, container, "POST")


@router.put(
    "/Patient/{patient_id}",
    response_class=FhirJSONResponse,
    responses=_ANSWERS,
    summary="Recevoir la mise à jour d'un Patient FR Core",
)
async def update_patient(
    patient_id: str, request: Request, actor: ActorDep, container: ContainerDep
) -> JSONResponse:
    return await _receive(request, actor, container, "PUT")
