"""Dependencies of the pages: the session of the cookie, the CSRF-checked form."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

from identito.bootstrap import Container
from identito.entrypoints.api.deps import ContainerDep as ContainerDep  # re-exported to the pages
from identito.entrypoints.web.security import SESSION_COOKIE
from identito.services.sessions import (
    CurrentSession,
    SessionExpired,
    SessionPolicy,
    csrf_matches,
    session_actor,
)

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


class LoginRequired(Exception):
    """No live session: the page sends the user to /login (htmx: ``HX-Redirect``)."""

    def __init__(self, *, expired: bool = False) -> None:
        super().__init__("login required")
        self.expired = expired


class CsrfRefused(Exception):
    """A POST without the CSRF token of its session."""


def session_policy(container: Container) -> SessionPolicy:
    settings = container.settings
    return SessionPolicy(
        idle=timedelta(minutes=settings.session_idle_minutes),
        absolute=timedelta(minutes=settings.session_absolute_minutes),
    )


def current_session(request: Request, container: ContainerDep) -> CurrentSession:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise LoginRequired()
    try:
        session = session_actor(
            token,
            uow=container.uow_factory(),
            rules=container.rules,
            policy=session_policy(container),
            role_overrides=container.settings.role_permissions,
        )
    except SessionExpired:
        raise LoginRequired(expired=True) from None
    request.state.web_session = session
    return session


SessionDep = Annotated[CurrentSession, Depends(current_session)]


async def checked_form(request: Request, session: SessionDep) -> FormData:
    """The posted form, once its CSRF token (field or htmx header) matches the session."""
    form = await request.form()
    sent = request.headers.get(CSRF_HEADER) or form.get(CSRF_FIELD)
    if not csrf_matches(session.csrf_token, sent if isinstance(sent, str) else None):
        raise CsrfRefused()
    return form


FormDep = Annotated[FormData, Depends(checked_form)]
