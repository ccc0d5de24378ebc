"""Administration of the interface accounts (comptes d'interface): the declared senders,
disabled or enabled again; declaring one is done with ``identito senders add``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from identito.domain.errors import DomainError
from identito.entrypoints.api.deps import ContainerDep
from identito.entrypoints.web.deps import FormDep, SessionDep
from identito.entrypoints.web.forms import text
from identito.entrypoints.web.rendering import render
from identito.services.interface_accounts import change_interface_account, list_interface_accounts

router = APIRouter(prefix="/admin", include_in_schema=False)
PATH = "/admin/interfaces"


def _page(
    request: Request,
    session: SessionDep,
    container: ContainerDep,
    status: int = 200,
    problem: str | None = None,
) -> Response:
    accounts = list_interface_accounts(uow=container.uow_factory(), actor=session.actor)
    changed = request.query_params.get("message") == "modifie"
    context = {
        "title": "Comptes d'interface",
        "accounts": accounts,
        "settings": container.settings,
        "message": "Compte d'interface modifié." if changed else None,
        "problem": problem,
    }
    return render(request, "admin_interfaces.html", context, status)


@router.get("/interfaces")
def interfaces_page(request: Request, session: SessionDep, container: ContainerDep) -> Response:
    return _page(request, session, container)


@router.post("/interfaces/{username}")
def change(
    request: Request, username: str, session: SessionDep, container: ContainerDep, form: FormDep
) -> Response:
    active = {"desactiver": False, "reactiver": True}.get(text(form, "action") or "")
    try:
        change_interface_account(
            username, active=active, uow=container.uow_factory(), actor=session.actor,
            rules=container.rules,
        )  # fmt: skip
    except DomainError as error:
        return _page(request, session, container, 422, problem=error.message)
    return RedirectResponse(f"{PATH}?message=modifie", status_code=303)
