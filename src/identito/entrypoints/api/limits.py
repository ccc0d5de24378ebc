"""Request bodies under ``/api/`` and ``/fhir/``: authenticated before they are read,
and never larger than ``http_max_body_bytes`` (pure ASGI, outside FastAPI, which
reads and parses a body before it resolves the dependencies that authenticate).
The pages' forms and uploads are never larger than ``web_max_body_bytes`` (their
session is checked before the form is read: ``web.deps.checked_form``); above, the
French error page 413.

* a body (``Content-Length`` > 0 or chunked) without a valid bearer token: 401, nothing
  read (except ``POST /api/v1/auth/token``, the one route that takes credentials);
  the actor found is kept in the request state for ``deps.get_actor``;
* ``Content-Length`` above the limit: 413 at once, nothing read;
* a chunked body is counted as it is received and cut at the limit: 413.

Each refusal is logged (``identito.entrypoints.api.limits``) with the path, the size
declared or received and the client address; the body itself is never kept.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from identito.bootstrap import Container
from identito.entrypoints.api.errors import problem
from identito.entrypoints.api.fhir import FHIR_PREFIX, fhir_outcome
from identito.services.auth import AuthenticationFailed, actor_for_token

GUARDED = ("/api/", "/fhir/")
PUBLIC_WITH_BODY = ("/api/v1/auth/token",)
logger = logging.getLogger(__name__)


def too_large_message(limit: int) -> str:
    return f"Corps de requête trop volumineux : au plus {limit} octets."


class BodyTooLarge(HTTPException):
    """Raised by the counting ``receive`` once a body passes the limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, too_large_message(limit))


class RequestLimitsMiddleware:
    def __init__(self, app: ASGIApp, container: Container) -> None:
        self.app, self.container = app, container

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        declared = _declared_length(headers)
        if not path.startswith(GUARDED):  # the pages: their session is checked before the form
            limit = self.container.settings.web_max_body_bytes
            await self.app(scope, _counting(receive, limit, scope, declared), send)
            return
        limit = self.container.settings.http_max_body_bytes
        chunked = "chunked" in headers.get("transfer-encoding", "").lower()
        if (chunked or (declared or 0) > 0) and path not in PUBLIC_WITH_BODY:
            try:
                actor = await run_in_threadpool(self._authenticate, headers)
            except AuthenticationFailed as error:
                refusal = (
                    fhir_outcome(401, "login", error.message)
                    if path.startswith(FHIR_PREFIX + "/")
                    else problem(401, error.message, headers={"WWW-Authenticate": "Bearer"})
                )
                await refusal(scope, receive, send)
                return
            scope.setdefault("state", {})["actor"] = actor
        if declared is not None and declared > limit:
            _log_refusal(scope, f"Content-Length {declared}")
            await problem(413, too_large_message(limit))(scope, receive, send)
            return
        await self.app(scope, _counting(receive, limit, scope), send)

    def _authenticate(self, headers: Headers) -> Any:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationFailed(
                "Authentification requise : envoyez l'en-tête « Authorization: Bearer <jeton> »."
            )
        container = self.container
        return actor_for_token(
            token.strip(),
            uow=container.uow_factory(),
            rules=container.rules,
            role_overrides=container.settings.role_permissions,
        )


def _declared_length(headers: Headers) -> int | None:
    value = headers.get("content-length")
    return int(value) if value is not None and value.strip().isdigit() else None


def _counting(receive: Receive, limit: int, scope: Scope, declared: int | None = None) -> Receive:
    """``receive``, raising ``BodyTooLarge`` (413) before reading a body declared above
    the limit, or once the bytes received pass it."""
    received = 0

    async def counted() -> Message:
        nonlocal received
        if declared is not None and declared > limit:
            _log_refusal(scope, f"Content-Length {declared}")
            raise BodyTooLarge(limit)
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                _log_refusal(scope, f"more than {limit} bytes received")
                raise BodyTooLarge(limit)
        return message

    return counted


def _log_refusal(scope: Scope, size: str) -> None:
    client = scope.get("client") or ("?", 0)
    logger.warning(
        "request body refused (413): %s %s, %s, from %s",
        scope.get("method"),
        scope.get("path"),
        size,
        client[0],
    )
