"""INSi on the identity sheet: the call form, the comparison window, the decision.

``POST /identites/{id}/insi`` calls the same use case as the API and sends the
user to the page of the call (``.../insi/appels/{call_id}``), which reads the
trace: the comparison window when INSi's identity differs from the local one,
with accept and reject buttons while the call is pending; a confirmation banner
when identical traits were integrated at once; the French outcome otherwise.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from identito.domain.errors import InvalidInput, NotFound
from identito.domain.identity import Identity
from identito.domain.ins_uniqueness import InsAlreadyHeld
from identito.domain.permissions import Permission
from identito.domain.status import IdentityStatus, StatusAction, next_status
from identito.entrypoints.api.deps import ContainerDep
from identito.entrypoints.web.deps import FormDep, SessionDep
from identito.entrypoints.web.forms import text
from identito.entrypoints.web.insi_view import card_from, form_errors
from identito.entrypoints.web.rendering import render
from identito.services import identities
from identito.services import insi as service
from identito.services.comparison import Comparison
from identito.services.insi_records import Decision, InsiCall
from identito.services.teleservice import Teleservice

router = APIRouter(include_in_schema=False)

NO_TELESERVICE = "Aucun téléservice INSi n'est configuré sur ce serveur."


def teleservice_of(container: ContainerDep) -> Teleservice:
    if container.teleservice is None:
        raise NotFound(NO_TELESERVICE)
    return container.teleservice


def _identity(identity_id: UUID, session: SessionDep, container: ContainerDep) -> Identity:
    return identities.get_identity(
        identity_id, uow=container.uow_factory(), actor=session.actor, rules=container.rules
    )


def _form_page(
    request: Request,
    identity: Identity,
    status: int = 200,
    *,
    mode: str = "traits",
    values: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
) -> Response:
    context = {
        "title": "Appel INSi",
        "identity": identity,
        "mode": mode,
        "values": values or {},
        "errors": errors or {},
        "provisional": identity.status is IdentityStatus.PROVISIONAL,
    }
    return render(request, "insi_call.html", context, status)


@router.get("/identites/{identity_id}/insi")
def call_form(
    request: Request, identity_id: UUID, session: SessionDep, container: ContainerDep
) -> Response:
    session.actor.require(Permission.INSI_CALL)
    identity = _identity(identity_id, session, container)
    mode = "card" if request.query_params.get("mode") == "card" else "traits"
    return _form_page(request, identity, mode=mode)


@router.post("/identites/{identity_id}/insi")
def call(
    request: Request,
    identity_id: UUID,
    session: SessionDep,
    container: ContainerDep,
    form: FormDep,
) -> Response:
    mode = "card" if text(form, "mode") == "card" else "traits"
    try:
        card = card_from(form) if mode == "card" else None
        result = service.recover_ins(
            identity_id, mode=mode, card=card, uow=container.uow_factory(),
            actor=session.actor, rules=container.rules, teleservice=teleservice_of(container),
        )  # fmt: skip
    except InvalidInput as error:
        identity = _identity(identity_id, session, container)
        values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
        errors = form_errors(error.errors)
        return _form_page(request, identity, 422, mode=mode, values=values, errors=errors)
    except InsAlreadyHeld:  # R-DU-03: the call, traced refused, says why
        return _last_call(identity_id, session, container)
    return RedirectResponse(f"/identites/{identity_id}/insi/appels/{result.call.id}", 303)


def _last_call(identity_id: UUID, session: SessionDep, container: ContainerDep) -> Response:
    last = _calls(identity_id, session, container)[-1]
    return RedirectResponse(f"/identites/{identity_id}/insi/appels/{last.id}", 303)


def _calls(identity_id: UUID, session: SessionDep, container: ContainerDep) -> list[InsiCall]:
    return service.list_insi_calls(
        identity_id, uow=container.uow_factory(), actor=session.actor, rules=container.rules
    )


@router.get("/identites/{identity_id}/insi/appels/{call_id}")
def call_page(
    request: Request,
    identity_id: UUID,
    call_id: UUID,
    session: SessionDep,
    container: ContainerDep,
) -> Response:
    calls = _calls(identity_id, session, container)
    found = next((c for c in calls if c.id == call_id), None)
    if found is None:
        raise NotFound(f"Appel INSi inconnu pour cette identité : {call_id}.")
    identity = _identity(identity_id, session, container)
    comparison = Comparison.from_dict(found.comparison) if found.comparison else None
    pending = found.decision is Decision.PENDING
    context = {
        "title": "Résultat de l'appel INSi",
        "identity": identity,
        "call": found,
        "attempt": [c for c in calls if c.attempt_id == found.attempt_id],
        "comparison": comparison,
        "pending": pending,
        "decide": pending and session.actor.can(Permission.INSI_CALL),
        # the status table decides what accepting would give (PROV -> RECUP, VALI -> QUAL)
        "status_if_accepted": (
            next_status(identity.status, StatusAction.RETRIEVE_INS) if pending else None
        ),
        "provisional_warning": (
            service.PROVISIONAL_WARNING
            if identity.status is IdentityStatus.PROVISIONAL and not found.applied
            else None
        ),
    }
    return render(request, "insi_result.html", context)


@router.post("/identites/{identity_id}/insi/appels/{call_id}/accepter")
def accept(
    identity_id: UUID, call_id: UUID, session: SessionDep, container: ContainerDep, form: FormDep
) -> Response:
    version = text(form, "version")
    try:
        service.accept_insi_call(
            identity_id, call_id, expected_version=int(version) if version else None,
            uow=container.uow_factory(), actor=session.actor, rules=container.rules,
        )  # fmt: skip
    except InsAlreadyHeld:  # R-DU-03: the comparison window shows the call refused, and why
        return RedirectResponse(f"/identites/{identity_id}/insi/appels/{call_id}", 303)
    return RedirectResponse(f"/identites/{identity_id}?message=insi_acceptee", 303)


@router.post("/identites/{identity_id}/insi/appels/{call_id}/refuser")
def reject(
    identity_id: UUID, call_id: UUID, session: SessionDep, container: ContainerDep, form: FormDep
) -> Response:
    service.reject_insi_call(
        identity_id, call_id, reason=text(form, "reason"),
        uow=container.uow_factory(), actor=session.actor, rules=container.rules,
    )  # fmt: skip
    return RedirectResponse(f"/identites/{identity_id}?message=insi_refusee", 303)


@router.get("/insi/appels/{call_id}/{which}.xml")
def raw_message(
    call_id: UUID, which: str, session: SessionDep, container: ContainerDep
) -> Response:
    """The SOAP message exactly as exchanged (audit permission), as a download."""
    if which not in ("requete", "reponse"):
        raise NotFound("Message inconnu : « requete » ou « reponse ».")
    found = service.get_insi_call(
        call_id, uow=container.uow_factory(), actor=session.actor, rules=container.rules
    )
    content = found.request if which == "requete" else found.response
    if content is None:
        raise NotFound("Aucun message brut n'a été échangé lors de cet appel.")
    filename = f"insi-{call_id}-{which}.xml"
    return Response(
        content,
        media_type="application/xml",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def sheet_calls(identity: Identity, session: SessionDep, container: ContainerDep) -> Any:
    """The INSi history shown on the sheet (``None`` when the profile may not see it)."""
    actor = session.actor
    if not (actor.can(Permission.INSI_CALL) or actor.can(Permission.AUDIT_READ)):
        return None
    return _calls(identity.id, session, container)
