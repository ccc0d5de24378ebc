"""Authentication routes: bearer tokens and the current actor."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from identito.entrypoints.api.deps import ActorDep, ContainerDep, UowDep
from identito.entrypoints.api.errors import problem_responses
from identito.entrypoints.api.schemas import MePublic, TokenPublic, TokenRequest
from identito.services.auth import issue_token, revoke_token
from identito.services.login_throttle import LoginAttempt

router = APIRouter(tags=["authentification"])
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_TOKEN_SCHEMA = TokenRequest.model_json_schema()
_TOKEN_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": _TOKEN_SCHEMA},
        "application/x-www-form-urlencoded": {"schema": _TOKEN_SCHEMA},
    },
}


async def token_request(request: Request) -> TokenRequest:
    """The credentials, sent as JSON or as an OAuth2 password-flow form."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if content_type in _FORM_TYPES:
            data: Any = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        else:
            data = json.loads(await request.body() or b"null")
        return TokenRequest.model_validate(data)
    except (json.JSONDecodeError, UnicodeDecodeError):
        error = {"type": "json_invalid", "loc": ("body",), "msg": "JSON invalide", "input": None}
        raise RequestValidationError([error]) from None
    except ValidationError as error:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in error.errors()]
        raise RequestValidationError(errors) from None


@router.post(
    "/auth/token",
    response_model=TokenPublic,
    openapi_extra={"requestBody": _TOKEN_BODY},
    responses=problem_responses(401, 422, 429),
    summary="Obtenir un jeton d'accès",
    description=(
        "Les échecs sont comptés par identifiant et par adresse : au-delà d'un seuil, "
        "429 avec l'en-tête Retry-After (délai croissant, puis blocage temporaire)."
    ),
)
def create_token(
    request: Request,
    credentials: Annotated[TokenRequest, Depends(token_request)],
    container: ContainerDep,
    uow: UowDep,
) -> TokenPublic:
    token = issue_token(
        LoginAttempt(credentials.username, request.client.host if request.client else None),
        credentials.password,
        uow=uow,
        rules=container.rules,
        ttl=container.token_ttl,
        policy=container.login_policy,
    )
    return TokenPublic(access_token=token, expires_in=int(container.token_ttl.total_seconds()))


@router.delete(
    "/auth/token",
    status_code=204,
    response_class=Response,
    responses=problem_responses(401),
    summary="Révoquer le jeton présenté (déconnexion de l'API)",
)
def delete_token(request: Request, actor: ActorDep, container: ContainerDep, uow: UowDep) -> None:
    _, _, token = request.headers.get("authorization", "").partition(" ")
    revoke_token(token.strip(), uow=uow, rules=container.rules)


@router.get(
    "/me",
    response_model=MePublic,
    responses=problem_responses(401),
    summary="L'utilisateur connecté et ses habilitations",
)
def me(actor: ActorDep) -> MePublic:
    return MePublic(
        username=actor.username,
        role=actor.role.value,
        permissions=sorted(p.value for p in actor.permissions),
    )
