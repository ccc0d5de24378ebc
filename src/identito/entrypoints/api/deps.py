"""``Annotated`` dependencies: the container, the current actor, a unit of work."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.security import OAuth2PasswordBearer

from identito.bootstrap import Container
from identito.domain.errors import InvalidInput
from identito.domain.permissions import Actor, Permission
from identito.entrypoints.api.errors import PreconditionRequired
from identito.services.auth import AuthenticationFailed, actor_for_token
from identito.services.rules import Rules
from identito.services.unit_of_work import UnitOfWork

TOKEN_URL = "/api/v1/auth/token"
# Declares the bearer scheme in OpenAPI (Swagger's "Authorize" posts the form to TOKEN_URL).
_bearer = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False)
_VERSION = re.compile(r'^(?:W/)?"?(\d{1,18})"?$')


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


def get_rules(container: ContainerDep) -> Rules:
    return container.rules


RulesDep = Annotated[Rules, Depends(get_rules)]


def get_uow(container: ContainerDep) -> UnitOfWork:
    """A fresh unit of work; the service function opens and closes it."""
    return container.uow_factory()


UowDep = Annotated[UnitOfWork, Depends(get_uow)]


def get_actor(
    request: Request,
    container: ContainerDep,
    token: Annotated[str | None, Depends(_bearer)] = None,
) -> Actor:
    """The actor of ``Authorization: Bearer <token>`` (401 when absent or unknown); already
    found by ``limits.RequestLimitsMiddleware`` for a request with a body."""
    known = getattr(request.state, "actor", None)
    if isinstance(known, Actor):
        return known
    if not token:
        raise AuthenticationFailed(
            "Authentification requise : envoyez l'en-tête « Authorization: Bearer <jeton> »."
        )
    return actor_for_token(
        token,
        uow=container.uow_factory(),
        rules=container.rules,
        role_overrides=container.settings.role_permissions,
    )


ActorDep = Annotated[Actor, Depends(get_actor)]


class Requires:
    """Route dependency ``dependencies=[requires(Permission.X)]``: the permission the use
    case checks first, checked before the body is validated, so that a role without it
    gets 403 whatever it sends (the service still checks; ``errors.validation_problem``
    reads ``permissions`` for a body that is not even JSON)."""

    def __init__(self, permissions: tuple[Permission, ...]) -> None:
        self.permissions = permissions

    def __call__(self, actor: ActorDep) -> None:
        for permission in self.permissions:
            actor.require(permission)


def requires(*permissions: Permission) -> Any:
    return Depends(Requires(permissions))


def expected_version(
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            description="Obligatoire (428 sinon) : version lue, en-tête ETag de la réponse.",
        ),
    ] = None,
) -> int:
    """The version named by ``If-Match`` (``3``, ``"3"`` or ``W/"3"``)."""
    if if_match is None or not if_match.strip():
        raise PreconditionRequired(
            "La modification exige l'en-tête « If-Match: <version> » (version lue avec la fiche)."
        )
    match = _VERSION.match(if_match.strip())
    if match is None:
        message = "L'en-tête If-Match porte le numéro de version de la fiche (ex. : 3)."
        raise InvalidInput.single("If-Match", "if_match_format", message)
    return int(match.group(1))


ExpectedVersionDep = Annotated[int, Depends(expected_version)]


def etag(version: int) -> str:
    return f'"{version}"'
