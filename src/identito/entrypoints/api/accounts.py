"""Account administration (issue 13): end every access of a user, list and lift login locks."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from identito.domain.permissions import Permission
from identito.entrypoints.api.deps import ActorDep, RulesDep, UowDep, requires
from identito.entrypoints.api.errors import problem_responses
from identito.services.accounts import revoke_access
from identito.services.login_throttle import LoginLock, lift_lock, list_locks

# Every route administers accounts: checked before a path or body is validated (403 first).
router = APIRouter(tags=["comptes"], dependencies=[requires(Permission.USERS_ADMIN)])


class EndedAccessPublic(BaseModel):
    sessions: int = Field(description="Sessions web fermées.")
    tokens: int = Field(description="Jetons d'API révoqués.")


class LoginLockPublic(BaseModel):
    kind: Literal["account", "address"] = Field(
        description="« account » : identifiant saisi (existant ou non) ; « address » : adresse."
    )
    key: str
    failures: int
    locked_until: datetime

    @classmethod
    def render(cls, lock: LoginLock) -> LoginLockPublic:
        return cls(
            kind=lock.kind.value,  # type: ignore[arg-type]
            key=lock.key,
            failures=lock.failures,
            locked_until=lock.locked_until,
        )


@router.delete(
    "/users/{username}/tokens",
    response_model=EndedAccessPublic,
    responses=problem_responses(403, 404),
    summary="Révoquer tous les jetons et fermer toutes les sessions d'un utilisateur",
)
def revoke_user_access(
    username: str, actor: ActorDep, uow: UowDep, rules: RulesDep
) -> EndedAccessPublic:
    ended = revoke_access(username, uow=uow, actor=actor, rules=rules)
    return EndedAccessPublic(sessions=ended.sessions, tokens=ended.tokens)


@router.get(
    "/auth/locks",
    response_model=list[LoginLockPublic],
    responses=problem_responses(403),
    summary="Identifiants et adresses bloqués après trop d'échecs de connexion",
)
def locks(actor: ActorDep, uow: UowDep, rules: RulesDep) -> list[LoginLockPublic]:
    return [LoginLockPublic.render(lock) for lock in list_locks(uow=uow, actor=actor, rules=rules)]


@router.delete(
    "/auth/locks/{kind}/{key:path}",
    status_code=204,
    response_class=Response,
    responses=problem_responses(403, 404),
    summary="Lever le blocage d'un identifiant ou d'une adresse",
)
def lift(
    kind: Literal["account", "address"], key: str, actor: ActorDep, uow: UowDep, rules: RulesDep
) -> None:
    lift_lock(kind, key, uow=uow, actor=actor, rules=rules)
