"""Login, logout, the home page and « Mon compte » (the pages of the role, password change)."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from identito.demo import DEMO_ACCOUNTS
from identito.domain.errors import InvalidInput, NotFound
from identito.domain.permissions import Actor, Permission
from identito.entrypoints.api.deps import ContainerDep
from identito.entrypoints.web.account_view import role_context
from identito.entrypoints.web.deps import FormDep, SessionDep, current_session, session_policy
from identito.entrypoints.web.rendering import field_errors, render
from identito.entrypoints.web.security import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    delete_cookie,
    set_cookie,
)
from identito.services.accounts import change_password
from identito.services.auth import AuthenticationFailed
from identito.services.login_throttle import LoginAttempt, LoginThrottled
from identito.services.own_sessions import active_sessions, close_other_sessions
from identito.services.sessions import close_session, csrf_matches, open_session, token_hash

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


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def _safe_next(target: str | None) -> str | None:
    """Only a local path (never ``//host`` or a URL) after the login."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


def _login_page(
    request: Request,
    container: ContainerDep,
    *,
    error: str | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
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
    response.headers.update(headers or {})
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
            LoginAttempt(username, client_address(request)),
            password,
            uow=container.uow_factory(),
            rules=container.rules,
            policy=session_policy(container),
            throttle=container.login_policy,
            role_overrides=container.settings.role_permissions,
        )
    except AuthenticationFailed as error:
        return _login_page(request, container, error=error.message, status=401)
    except LoginThrottled as error:
        retry = {"Retry-After": str(error.retry_after)}
        return _login_page(request, container, error=error.message, status=429, headers=retry)
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


def _account_page(
    request: Request,
    session: SessionDep,
    container: ContainerDep,
    status: int = 200,
    **extra: object,
) -> Response:
    current = token_hash(request.cookies.get(SESSION_COOKIE, ""))
    sessions = active_sessions(session.actor, current=current, uow=container.uow_factory(),
                               rules=container.rules, policy=session_policy(container))  # fmt: skip
    message, closed = request.query_params.get("message"), request.query_params.get("fermees", "")
    context = {
        "title": "Mon compte",
        **role_context(session.actor),
        "sessions": sessions,
        "errors": {},
        "changed": message == "mot-de-passe",
        "closed": int(closed) if message == "sessions" and closed.isdigit() else None,
        **extra,
    }
    return render(request, "account.html", context, status)


@router.get("/compte")
def account(request: Request, session: SessionDep, container: ContainerDep) -> Response:
    return _account_page(request, session, container)


@router.post("/compte/sessions/fermer")
def account_close_sessions(
    request: Request, session: SessionDep, container: ContainerDep, form: FormDep
) -> Response:
    """Close one other session of the user (``reference``) or all the others."""
    reference = str(form.get("reference") or "") or None
    try:
        closed = close_other_sessions(
            session.actor,
            current=token_hash(request.cookies.get(SESSION_COOKIE, "")),
            uow=container.uow_factory(),
            rules=container.rules,
            reference=reference,
        )
    except NotFound as error:
        return _account_page(request, session, container, 404, problem=error.message)
    return RedirectResponse(f"/compte?message=sessions&fermees={closed}", status_code=303)


@router.post("/compte/mot-de-passe")
def account_password(
    request: Request, session: SessionDep, container: ContainerDep, form: FormDep
) -> Response:
    """Change one's own password: the other sessions and every API token end."""
    try:
        change_password(
            session.actor,
            str(form.get("current_password") or ""),
            str(form.get("new_password") or ""),
            str(form.get("confirmation") or ""),
            uow=container.uow_factory(),
            rules=container.rules,
            throttle=container.login_policy,
            address=client_address(request),
            keep_session=token_hash(request.cookies.get(SESSION_COOKIE, "")),
        )
    except InvalidInput as error:
        return _account_page(request, session, container, 422, errors=field_errors(error.errors))
    except LoginThrottled as error:
        response = _account_page(request, session, container, 429, problem=error.message)
        response.headers["Retry-After"] = str(error.retry_after)
        return response
    return RedirectResponse("/compte?message=mot-de-passe", status_code=303)
