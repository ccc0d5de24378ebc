"""Login, logout and the home page."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from identito.demo import DEMO_ACCOUNTS
from identito.domain.permissions import Actor, Permission
from identito.entrypoints.api.deps import ContainerDep
from identito.entrypoints.web.deps import FormDep, SessionDep, current_session, session_policy
from identito.entrypoints.web.rendering import render
from identito.entrypoints.web.security import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    delete_cookie,
    set_cookie,
)
from identito.services.auth import AuthenticationFailed
from identito.services.sessions import close_session, csrf_matches, open_session

router = APIRouter(include_in_schema=False)


def home_of(actor: Actor) -> str:
    """The first page a role may use."""
    if actor.can(Permission.IDENTITY_SEARCH):
        return "/recherche"
    if actor.can(Permission.INDICATORS_READ):
        return "/indicateurs"
    if actor.can(Permission.USERS_ADMIN):
        return "/admin/utilisateurs"
    return "/compte"


def _safe_next(target: str | None) -> str | None:
    """Only a local path (never ``//host`` or a URL) after the login."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


def _login_page(
    request: Request, container: ContainerDep, *, error: str | None = None, status: int = 200
) -> Response:
    csrf = secrets.token_urlsafe(32)
    context = {
        "csrf_login": csrf,
        "error": error,
        "next": _safe_next(request.query_params.get("suite")),
        "expired": request.query_params.get("expiree") == "1",
        "demo_accounts": DEMO_ACCOUNTS if container.settings.test_mode else (),
    }
    response = render(request, "login.html", context, status)
    set_cookie(response, request, container.settings, LOGIN_CSRF_COOKIE, csrf)
    return response


@router.get("/login")
def login_form(request: Request, container: ContainerDep) -> Response:
    return _login_page(request, container)


@router.post("/login")
def login(
    request: Request,
    container: ContainerDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    suite: Annotated[str, Form()] = "",
) -> Response:
    if not csrf_matches(request.cookies.get(LOGIN_CSRF_COOKIE, ""), csrf_token):
        message = "Le formulaire de connexion a expiré : recommencez."
        return _login_page(request, container, error=message, status=403)
    try:
        opened = open_session(
            username,
            password,
            uow=container.uow_factory(),
            rules=container.rules,
            policy=session_policy(container),
            role_overrides=container.settings.role_permissions,
        )
    except AuthenticationFailed as error:
        return _login_page(request, container, error=error.message, status=401)
    response = RedirectResponse(_safe_next(suite) or home_of(opened.actor), status_code=303)
    set_cookie(response, request, container.settings, SESSION_COOKIE, opened.token)
    delete_cookie(response, request, container.settings, LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout")
def logout(request: Request, container: ContainerDep, form: FormDep) -> Response:
    token = request.cookies.get(SESSION_COOKIE, "")
    close_session(token, uow=container.uow_factory(), rules=container.rules)
    response = RedirectResponse("/login?deconnecte=1", status_code=303)
    delete_cookie(response, request, container.settings, SESSION_COOKIE)
    return response


@router.get("/")
def home(request: Request, container: ContainerDep) -> Response:
    if not request.cookies.get(SESSION_COOKIE):
        return RedirectResponse("/login", status_code=303)
    session = current_session(request, container)
    return RedirectResponse(home_of(session.actor), status_code=303)


@router.get("/compte")
def account(request: Request, session: SessionDep) -> Response:
    return render(request, "account.html", {"title": "Mon compte"})
