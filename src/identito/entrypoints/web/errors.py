"""French error pages for the web; the API keeps its problem details.

The handlers installed by the API are wrapped: a path under ``/api/`` still gets
``application/problem+json``, any other path an HTML page in French.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from identito.domain.errors import (
    DomainError,
    InvalidInput,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    StaleVersion,
)
from identito.domain.ins_uniqueness import InsAlreadyHeld
from identito.entrypoints.web.deps import CsrfRefused, LoginRequired
from identito.entrypoints.web.rendering import is_htmx, render, shown_message
from identito.services.auth import AuthenticationFailed

logger = logging.getLogger(__name__)
#: Paths answered to programs (problem details, OperationOutcome), never an HTML page
#: nor a redirect to /login.
MACHINE_PREFIXES = ("/api/", "/fhir/")

TITLES = {
    403: "Accès refusé",
    404: "Page introuvable",
    405: "Action non permise",
    409: "Action impossible",
    412: "Fiche modifiée entre-temps",
    422: "Données à corriger",
    500: "Erreur inattendue",
}
NOT_FOUND_MESSAGE = "Cette page n'existe pas. Revenez à l'accueil."
_DOMAIN = (
    (InvalidInput, 422),
    (InvalidTransition, 409),
    (StaleVersion, 412),
    (PermissionDenied, 403),
    (NotFound, 404),
)


def error_page(
    request: Request, status: int, message: str, details: list[str] | None = None
) -> Response:
    return render(
        request,
        "error.html",
        {"status": status, "title": TITLES.get(status, "Erreur"), "message": message,
         "details": details or []},
        status=status,
    )  # fmt: skip


def login_redirect(request: Request, *, expired: bool = False) -> Response:
    target = "/login?suite=" + quote(request.url.path) + ("&expiree=1" if expired else "")
    if is_htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def _web_domain_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, DomainError)
    if isinstance(error, AuthenticationFailed):
        return login_redirect(request, expired=True)
    status = next((s for kind, s in _DOMAIN if isinstance(error, kind)), 422)
    details = [shown_message(e) for e in error.errors] if isinstance(error, InvalidInput) else []
    if isinstance(error, InsAlreadyHeld):  # R-DU-03: where the pair now waits
        details = [f"Identité qui porte ce matricule : /identites/{h}" for h in error.holders] + [
            "La paire est dans la liste des doublons à examiner : /doublons"
        ]
        return error_page(request, status, error.message, details)
    message = "Certaines données sont à corriger." if details else error.message
    return error_page(request, status, message, details)


def _web_http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    messages = {
        404: NOT_FOUND_MESSAGE,
        405: "Cette action n'est pas permise à cette adresse.",
    }
    status = error.status_code
    if status == 413:  # web_max_body_bytes (api.limits): the detail names the limit
        return error_page(request, status, f"Envoi trop volumineux. {error.detail}")
    return error_page(request, status, messages.get(status, "La requête n'a pu aboutir."))


def _web_invalid_request(request: Request, error: Exception) -> Response:
    """A malformed address (``/identites/pas-un-id``) is a page that does not exist; a
    malformed query or form field, data to correct. Never the API's JSON on a page."""
    assert isinstance(error, RequestValidationError)
    problems = list(error.errors())
    if any(p.get("loc", ("",))[0] == "path" for p in problems):
        return error_page(request, 404, NOT_FOUND_MESSAGE)
    details = [f"Champ « {p['loc'][-1]} » : valeur incorrecte." for p in problems if p.get("loc")]
    return error_page(request, 422, "Certaines données sont à corriger.", details)


def _web_unexpected(request: Request, error: Exception) -> Response:
    logger.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_page(
        request, 500, "Une erreur inattendue s'est produite ; elle a été journalisée."
    )


def _csrf(request: Request, error: Exception) -> Response:
    message = (
        "Le formulaire a expiré ou ne provient pas de cette application (jeton anti-falsification "
        "absent ou incorrect). Rechargez la page et recommencez."
    )
    return error_page(request, 403, message)


def _login(request: Request, error: Exception) -> Response:
    assert isinstance(error, LoginRequired)
    return login_redirect(request, expired=error.expired)


Handler = Callable[[Request, Exception], Any]


def _by_path(api: Handler | None, web: Callable[[Request, Exception], Response]) -> Handler:
    async def handler(request: Request, error: Exception) -> Any:
        if api is not None and request.url.path.startswith(MACHINE_PREFIXES):
            result = api(request, error)
            return await result if hasattr(result, "__await__") else result
        return web(request, error)

    return handler


def install_web_error_handlers(app: FastAPI) -> None:
    existing = dict(app.exception_handlers)
    for kind, web in (
        (DomainError, _web_domain_error),
        (StarletteHTTPException, _web_http_error),
        (RequestValidationError, _web_invalid_request),
        (Exception, _web_unexpected),
    ):
        app.add_exception_handler(kind, _by_path(existing.get(kind), web))
    app.add_exception_handler(LoginRequired, _login)
    app.add_exception_handler(CsrfRefused, _csrf)
