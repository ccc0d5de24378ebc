"""Merge routes (issue 7): parse, call the use case, render. No rule lives here."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from fastapi import APIRouter, Response, status
from pydantic import BaseModel

from identito.domain.merges import Merge
from identito.domain.permissions import Permission
from identito.entrypoints.api.deps import ActorDep, RulesDep, UowDep, requires
from identito.entrypoints.api.errors import problem_responses
from identito.services import merges as service

PREFIX = "/merges"
router = APIRouter(prefix=PREFIX, tags=["fusions"])


class MergeCreate(BaseModel):
    survivor_id: UUID
    merged_id: UUID


class MergePublic(BaseModel):
    id: UUID
    survivor_id: UUID
    merged_id: UUID
    at: datetime
    actor: str
    undone_at: datetime | None
    undone_by: str | None

    @classmethod
    def render(cls, merge: Merge) -> MergePublic:
        return cls(
            id=merge.id,
            survivor_id=merge.survivor_id,
            merged_id=merge.merged_id,
            at=merge.at,
            actor=merge.actor,
            undone_at=merge.undone_at,
            undone_by=merge.undone_by,
        )


@router.post(
    "",
    dependencies=[requires(Permission.IDENTITY_MERGE)],
    status_code=status.HTTP_201_CREATED,
    response_model=MergePublic,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Fusionner une identité dans l'identité conservée",
)
def merge_identities(
    body: MergeCreate, actor: ActorDep, uow: UowDep, rules: RulesDep, response: Response
) -> MergePublic:
    merge = service.merge_identities(
        body.survivor_id, body.merged_id, uow=uow, actor=actor, rules=rules
    )
    response.headers["Location"] = f"/api/v1{PREFIX}/{merge.id}"
    return MergePublic.render(merge)


@router.delete(
    "/{merge_id}",
    dependencies=[requires(Permission.IDENTITY_MERGE)],
    response_model=MergePublic,
    responses=problem_responses(401, 403, 404, 409),
    summary="Annuler une fusion",
)
def unmerge(merge_id: UUID, actor: ActorDep, uow: UowDep, rules: RulesDep) -> MergePublic:
    return MergePublic.render(service.unmerge(merge_id, uow=uow, actor=actor, rules=rules))
