"""Domain and HTTP errors as RFC 9457 problem details (``application/problem+json``).

This is the only place where errors become HTTP statuses:

=================================  ======  ============================
error                              status  ``type``
=================================  ======  ============================
``InvalidInput``, bad request      422     ``…:invalid-input``
``InvalidTransition``              409     ``…:invalid-transition``
``InsAlreadyHeld`` (R-DU-03)       409     ``…:invalid-transition``, ``holders``
``SamePersonExists`` (issue 12)    409     ``…:invalid-transition``, ``existing_identity``
``StaleVersion``                   412     ``…:stale-version``
missing ``If-Match``               428     ``…:precondition-required``
``PermissionDenied``               403     ``…:permission-denied``
``NotFound``, unknown route        404     ``…:not-found``
``AuthenticationFailed``           401     ``…:unauthenticated``
body above ``http_max_body_bytes``  413     ``…:content-too-large``
``LoginThrottled``                 429     ``…:too-many-requests``, ``Retry-After``
=================================  ======  ============================
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from identito.domain.errors import (
    DomainError,
    FieldError,
    InvalidInput,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    StaleVersion,
)
from identito.domain.ins_uniqueness import InsAlreadyHeld
from identito.domain.same_person import SamePersonExists
from identito.services.auth import AuthenticationFailed
from identito.services.login_throttle import LoginThrottled

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:identito:problem:"
logger = logging.getLogger(__name__)

#: status -> (type suffix, French title)
_KINDS: dict[int, tuple[str, str]] = {
    400: ("bad-request", "Requête incorrecte"),
    401: ("unauthenticated", "Authentification requise"),
    403: ("permission-denied", "Habilitation insuffisante"),
    404: ("not-found", "Ressource introuvable"),
    405: ("method-not-allowed", "Méthode non autorisée"),
    409: ("invalid-transition", "Transition interdite"),
    412: ("stale-version", "Version périmée"),
    413: ("content-too-large", "Corps de requête trop volumineux"),
    415: ("unsupported-media-type", "Type de contenu non pris en charge"),
    422: ("invalid-input", "Données invalides"),
    428: ("precondition-required", "En-tête If-Match obligatoire"),
    429: ("too-many-requests", "Trop de tentatives"),
    500: ("internal-error", "Erreur interne"),
    503: ("unavailable", "Service indisponible"),
}
_DOMAIN_STATUS: tuple[tuple[type[DomainError], int], ...] = (
    (InvalidInput, 422),
    (InvalidTransition, 409),
    (StaleVersion, 412),
    (PermissionDenied, 403),
    (NotFound, 404),
    (AuthenticationFailed, 401),
    (LoginThrottled, 429),
)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for problem details (schema ``Problem``, see ``app.py``)."""
    schema = {"$ref": "#/components/schemas/Problem"}
    return {
        status: {
            "description": _KINDS[status][1],
            "content": {PROBLEM_MEDIA_TYPE: {"schema": schema}},
        }
        for status in statuses
    }


class PreconditionRequired(Exception):
    """A conditional request (``PATCH``) came without ``If-Match``."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def problem(
    status: int,
    detail: str,
    errors: Iterable[FieldError] = (),
    *,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    suffix, title = _KINDS.get(status, ("error", "Erreur"))
    body = {
        "type": TYPE_PREFIX + suffix,
        "title": title,
        "status": status,
        "detail": detail,
        "errors": [{"field": e.field, "rule": e.rule, "message": e.message} for e in errors],
        **extensions,
    }
    return JSONResponse(body, status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


def domain_problem(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)
    status = next((s for kind, s in _DOMAIN_STATUS if isinstance(error, kind)), 422)
    if isinstance(error, InvalidInput):
        count = len(error.errors)
        detail = f"{count} champ{'s' if count > 1 else ''} à corriger."
        return problem(422, detail, error.errors)
    if isinstance(error, InsAlreadyHeld):  # R-DU-03: the holders for the caller to look at
        return problem(
            409, error.message, [FieldError("ins", error.rule, error.message)],
            holders=[str(h) for h in error.holders],
        )  # fmt: skip
    if isinstance(error, SamePersonExists):  # the identity to use instead
        return problem(
            409, error.message, [FieldError("traits", error.rule, error.message)],
            existing_identity=str(error.existing),
        )  # fmt: skip
    if isinstance(error, InvalidTransition):
        return problem(409, error.message, [FieldError("status", error.rule, error.message)])
    if isinstance(error, StaleVersion):
        return problem(412, error.message, current_version=error.current)
    if isinstance(error, PermissionDenied):
        return problem(403, error.message, permission=error.permission)
    if isinstance(error, AuthenticationFailed):
        return problem(401, error.message, headers={"WWW-Authenticate": "Bearer"})
    if isinstance(error, LoginThrottled):
        retry = str(error.retry_after)
        return problem(
            429, error.message, headers={"Retry-After": retry}, retry_after=error.retry_after
        )
    return problem(status, error.message)


_PYDANTIC_MESSAGES = {
    "missing": "Ce champ est obligatoire.",
    "extra_forbidden": "Champ inconnu.",
    "string_type": "Une chaîne de caractères est attendue.",
    "list_type": "Une liste est attendue.",
    "dict_type": "Un objet JSON est attendu.",
    "model_type": "Un objet JSON est attendu.",
    "model_attributes_type": "Un objet JSON est attendu.",
    "json_invalid": "Le corps de la requête n'est pas du JSON valide.",
    "json_type": "Le corps de la requête n'est pas du JSON valide.",
    "uuid_parsing": "Identifiant invalide (UUID attendu).",
    "uuid_type": "Identifiant invalide (UUID attendu).",
    "date_parsing": "Date attendue au format AAAA-MM-JJ.",
    "date_from_datetime_parsing": "Date attendue au format AAAA-MM-JJ.",
    "date_from_datetime_inexact": "Date attendue au format AAAA-MM-JJ.",
    "date_type": "Date attendue au format AAAA-MM-JJ.",
    "int_parsing": "Nombre entier attendu.",
    "int_type": "Nombre entier attendu.",
    "greater_than_equal": "Valeur trop petite.",
    "less_than_equal": "Valeur trop grande.",
    "string_too_long": "Texte trop long.",
}


def _is_union_tag(part: str) -> bool:
    """Pydantic inserts the union member in ``loc`` (``str``, ``list[str]``...)."""
    return "[" in part or part.startswith("function-") or part in _TYPE_TAGS


_TYPE_TAGS = frozenset({"str", "int", "float", "bool", "date", "datetime", "uuid", "none"})


def _field_name(loc: Sequence[int | str]) -> str | None:
    """``("body", "birth_first_names", 0)`` -> ``birth_first_names[0]``."""
    parts = list(loc[1:]) if loc and loc[0] in ("body", "query", "path", "header") else list(loc)
    name = ""
    for part in parts:
        if isinstance(part, int):
            name += f"[{part}]"
        elif not _is_union_tag(str(part)):
            name += f".{part}" if name else str(part)
    return name or None


def _missing_permission(request: Request) -> PermissionDenied | None:
    """A body FastAPI could not even parse is refused before the route's dependencies
    run: the permission the route declares (``deps.requires``) is checked here, on the
    actor ``limits.RequestLimitsMiddleware`` authenticated for the body."""
    route, actor = request.scope.get("route"), getattr(request.state, "actor", None)
    dependant = getattr(route, "dependant", None)
    if actor is None or dependant is None:
        return None
    for dependency in dependant.dependencies:
        for permission in getattr(dependency.call, "permissions", ()):
            try:
                actor.require(permission)
            except PermissionDenied as denied:
                return denied
    return None


def validation_problem(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    denied = _missing_permission(request)
    if denied is not None:
        return problem(403, denied.message, permission=denied.permission)
    seen: dict[tuple[str | None, str], FieldError] = {}
    for item in error.errors():
        field, rule = _field_name(item.get("loc", ())), str(item.get("type", "invalid"))
        message = _PYDANTIC_MESSAGES.get(rule, f"Valeur invalide ({item.get('msg', '')}).")
        seen.setdefault((field, rule), FieldError(field or "body", rule, message))
    count = len({f for f, _ in seen})
    detail = f"{count} champ{'s' if count > 1 else ''} à corriger."
    return problem(422, detail, seen.values())


def http_problem(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    details = {
        400: "Le corps de la requête est illisible (JSON en UTF-8 attendu).",
        404: f"Aucune ressource à l'adresse {request.url.path}.",
        405: f"La méthode {request.method} n'est pas admise à cette adresse.",
    }
    detail = details.get(error.status_code, str(error.detail))
    return problem(error.status_code, detail, headers=dict(error.headers or {}))


def precondition_problem(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, PreconditionRequired)
    return problem(428, error.message, [FieldError("If-Match", "required", error.message)])


def unexpected_problem(request: Request, error: Exception) -> JSONResponse:
    logger.exception("unexpected error on %s %s", request.method, request.url.path)
    return problem(500, "Une erreur inattendue s'est produite ; elle a été journalisée.")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, domain_problem)
    app.add_exception_handler(RequestValidationError, validation_problem)
    app.add_exception_handler(StarletteHTTPException, http_problem)
    app.add_exception_handler(PreconditionRequired, precondition_problem)
    app.add_exception_handler(Exception, unexpected_problem)
