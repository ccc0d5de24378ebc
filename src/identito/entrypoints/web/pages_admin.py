"""Administration: users and roles, high-trust documents, settings."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from identito.domain.errors import InvalidInput
from identito.domain.permissions import Role
from identito.entrypoints.api.deps import ContainerDep
from identito.entrypoints.web.deps import FormDep, SessionDep
from identito.entrypoints.web.forms import text, typed_values
from identito.entrypoints.web.rendering import field_errors, render
from identito.services.accounts import revoke_access
from identito.services.auth import add_user, change_user, list_users
from identito.services.login_throttle import lift_lock, list_locks
from identito.services.preferences import get_preferences, update_preferences

router = APIRouter(prefix="/admin", include_in_schema=False)
MESSAGES = {
    "cree": "Compte créé.",
    "modifie": "Compte modifié.",
    "parametres": "Paramètres enregistrés.",
    "acces": "Sessions fermées et jetons d'API révoqués.",
    "debloque": "Blocage levé.",
}


def _users_page(
    request: Request, session: SessionDep, container: ContainerDep, status: int = 200, **extra: Any
) -> Response:
    users = list_users(uow=container.uow_factory(), actor=session.actor)
    locks = list_locks(uow=container.uow_factory(), actor=session.actor, rules=container.rules)
    context = {
        "title": "Utilisateurs et profils",
        "users": users,
        "locks": locks,
        "roles": list(Role),
        "values": {},
        "errors": {},
        "message": MESSAGES.get(request.query_params.get("message", "")),
        **extra,
    }
    return render(request, "admin_users.html", context, status)


@router.get("/utilisateurs")
def users_page(request: Request, session: SessionDep, container: ContainerDep) -> Response:
    return _users_page(request, session, container)


@router.post("/utilisateurs")
def create_user(
    request: Request, session: SessionDep, container: ContainerDep, form: FormDep
) -> Response:
    try:
        add_user(
            text(form, "username") or "", str(form.get("password") or ""),
            text(form, "role") or "", uow=container.uow_factory(), actor=session.actor,
            rules=container.rules,
        )  # fmt: skip
    except InvalidInput as error:
        values = {k: v for k, v in typed_values(form).items() if k != "password"}
        return _users_page(
            request, session, container, 422, values=values, errors=field_errors(error.errors)
        )
    return RedirectResponse("/admin/utilisateurs?message=cree", status_code=303)


@router.post("/utilisateurs/{username}")
def change(
    request: Request, username: str, session: SessionDep, container: ContainerDep, form: FormDep
) -> Response:
    action = text(form, "action")
    if action == "revoquer":
        revoke_access(username, uow=container.uow_factory(), actor=session.actor,
                      rules=container.rules)  # fmt: skip
        return RedirectResponse("/admin/utilisateurs?message=acces", status_code=303)
    try:
        change_user(
            username,
            role=text(form, "role") if action == "role" else None,
            active={"desactiver": False, "reactiver": True}.get(action or ""),
            uow=container.uow_factory(), actor=session.actor, rules=container.rules,
        )  # fmt: skip
    except InvalidInput as error:
        return _users_page(request, session, container, 422, problem=error.errors[0].message)
    return RedirectResponse("/admin/utilisateurs?message=modifie", status_code=303)


@router.post("/blocages")
def unlock(
    request: Request, session: SessionDep, container: ContainerDep, form: FormDep
) -> Response:
    """Lift the lock of a username or an address (after too many failed logins)."""
    lift_lock(
        text(form, "kind") or "", str(form.get("key") or ""),
        uow=container.uow_factory(), actor=session.actor, rules=container.rules,
    )  # fmt: skip
    return RedirectResponse("/admin/utilisateurs?message=debloque", status_code=303)


def _settings_page(
    request: Request, session: SessionDep, container: ContainerDep, status: int = 200, **extra: Any
) -> Response:
    preferences = get_preferences(
        uow=container.uow_factory(), actor=session.actor, rules=container.rules
    )
    context = {
        "title": "Paramètres",
        "preferences": preferences,
        "errors": {},
        "message": MESSAGES.get(request.query_params.get("message", "")),
        **extra,
    }
    return render(request, "admin_settings.html", context, status)


@router.get("/parametres")
def settings_page(request: Request, session: SessionDep, container: ContainerDep) -> Response:
    return _settings_page(request, session, container)


def _documents(form: FormDep) -> list[dict[str, Any]]:
    """Rows ``doc-N-code/label/high_trust/remove``; the last, blank row adds a document."""
    documents = []
    for index in range(int(text(form, "doc_count") or 0) + 1):
        code, label = text(form, f"doc-{index}-code"), text(form, f"doc-{index}-label")
        if form.get(f"doc-{index}-remove") == "1" or not (code or label):
            continue
        high_trust = form.get(f"doc-{index}-high_trust") == "1"
        documents.append({"code": code or "", "label": label or "", "high_trust": high_trust})
    return documents


@router.post("/parametres")
def save_settings(
    request: Request, session: SessionDep, container: ContainerDep, form: FormDep
) -> Response:
    changes = {
        "allow_insi_for_provisional": form.get("allow_insi_for_provisional") == "1",
        "similarity_threshold": (text(form, "similarity_threshold") or "").replace(",", "."),
        "document_types": _documents(form),
        "expired_document_tolerance_days": text(form, "expired_document_tolerance_days") or "0",
    }
    try:
        update_preferences(
            changes, uow=container.uow_factory(), actor=session.actor, rules=container.rules
        )
    except InvalidInput as error:
        return _settings_page(request, session, container, 422, errors=field_errors(error.errors))
    return RedirectResponse("/admin/parametres?message=parametres", status_code=303)
