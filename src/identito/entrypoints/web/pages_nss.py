"""The billing social-security number (NSS) of an identity: its own screen (issue 17).

R-TR-20: the NSS is kept apart from the matricule INS; it may be the patient's or
the ouvrant droit's (a child's NSS is most often a parent's), and whose it is must
be chosen (no preselection). Saving calls the same use case as the API
(``services.identities.update_identity`` with ``nss``): no status, no INS changes.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from identito.bootstrap import Container
from identito.domain.errors import InvalidInput, InvalidTransition, StaleVersion
from identito.domain.identity import Identity
from identito.domain.nss import NssHolder, NssOid
from identito.domain.permissions import Permission
from identito.entrypoints.web.deps import FormDep, SessionDep
from identito.entrypoints.web.forms import text
from identito.entrypoints.web.rendering import render, shown_message
from identito.services import identities as service

router = APIRouter(include_in_schema=False)


def _container(request: Request) -> Container:
    """The application's container (the web never imports the API's dependencies)."""
    container: Container = request.app.state.container
    return container


def _page(request: Request, identity: Identity, status: int = 200, **extra: Any) -> Response:
    nss = identity.nss
    values = {
        "number": nss.number if nss else "",
        "oid": nss.oid.value if nss else NssOid.NIR.value,
        "holder": nss.holder.value if nss else "",
    }
    context = {
        "title": "Numéro de sécurité sociale (facturation)",
        "identity": identity,
        "values": {**values, **extra.pop("values", {})},
        "errors": extra.pop("errors", {}),
        "NSS_OIDS": tuple(NssOid),
        "NSS_HOLDERS": tuple(NssHolder),
        **extra,
    }
    return render(request, "nss.html", context, status)


@router.get("/identites/{identity_id}/nss")
def nss_form(request: Request, identity_id: UUID, session: SessionDep) -> Response:
    container = _container(request)
    session.actor.require(Permission.IDENTITY_UPDATE)
    session.actor.require(Permission.INS_READ)  # the NSS is a NIR: read as a matricule
    identity = service.get_identity(
        identity_id, uow=container.uow_factory(), actor=session.actor, rules=container.rules
    )
    return _page(request, identity)


@router.post("/identites/{identity_id}/nss")
def change_nss(
    request: Request,
    identity_id: UUID,
    session: SessionDep,
    form: FormDep,
) -> Response:
    container, actor = _container(request), session.actor
    actor.require(Permission.INS_READ)
    identity = service.get_identity(
        identity_id, uow=container.uow_factory(), actor=actor, rules=container.rules
    )
    values = {name: text(form, name) or "" for name in ("number", "oid", "holder")}
    nss = None if form.get("retirer") == "1" else values
    try:
        version = int(str(form.get("version") or identity.version))
        service.update_identity(
            identity_id, version, {"nss": nss}, uow=container.uow_factory(), actor=actor,
            rules=container.rules,
        )  # fmt: skip
    except InvalidInput as error:
        errors: dict[str, list[str]] = {}
        for item in error.errors:
            errors.setdefault(item.field.split(".")[-1], []).append(shown_message(item))
        return _page(request, identity, 422, values=values, errors=errors)
    except (InvalidTransition, StaleVersion) as error:
        return _page(request, identity, 409, values=values, error=str(error.message))
    return RedirectResponse(f"/identites/{identity_id}?message=nss", status_code=303)
