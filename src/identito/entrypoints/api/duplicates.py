"""Duplicate review worklist, decisions and collisions (issue 7): parse, call, render."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from identito.domain.duplicate_reviews import DuplicateReview
from identito.domain.permissions import Actor, Permission
from identito.entrypoints.api.deps import ActorDep, RulesDep, UowDep, requires
from identito.entrypoints.api.errors import problem_responses
from identito.entrypoints.api.schemas import IdentityPublic, TraitAgreementPublic
from identito.services import collisions as collision_service
from identito.services import duplicate_decisions as service
from identito.services.duplicate_decisions import ReviewEntry
from identito.services.indicators import DuplicateIndicators, duplicate_indicators
from identito.services.paging import MAX_PAGE, MAX_PER_PAGE

router = APIRouter(tags=["doublons"])
PageDep = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page, à partir de 1")]
PerPageDep = Annotated[int, Query(ge=1, le=MAX_PER_PAGE, description="Éléments par page")]


class ReviewPublic(BaseModel):
    id: UUID
    first_id: UUID
    second_id: UUID
    score: float = Field(description="Probabilité d'un doublon, entre 0 et 1.")
    blocking: bool = Field(description="Même matricule INS actif : doublon bloquant.")
    explanation: list[TraitAgreementPublic]
    found_at: datetime
    scored_at: datetime
    source: str = Field(description="scan, creation, change ou ins_held.")
    status: str = Field(
        description="pending, duplicate (DOUA, à fusionner), not_duplicate, homonym, "
        "collision, merged."
    )
    decided_at: datetime | None
    decided_by: str | None
    note: str | None

    @classmethod
    def render(cls, review: DuplicateReview, actor: Actor) -> ReviewPublic:
        show_ins = actor.can(Permission.INS_READ)
        return cls(
            **{k: v for k, v in vars(review).items() if k not in ("explanation", "fingerprint")},
            explanation=[TraitAgreementPublic.render(t, show_ins) for t in review.explanation],
        )


class ReviewSummary(ReviewPublic):
    first: IdentityPublic
    second: IdentityPublic

    @classmethod
    def of(cls, entry: ReviewEntry, actor: Actor) -> ReviewSummary:
        return cls(
            **ReviewPublic.render(entry.review, actor).model_dump(),
            first=IdentityPublic.render(entry.first, actor),
            second=IdentityPublic.render(entry.second, actor),
        )


class ReviewDetail(ReviewSummary):
    differences: list[str] = Field(description="Traits qui diffèrent entre les deux identités.")

    @classmethod
    def of(cls, entry: ReviewEntry, actor: Actor) -> ReviewDetail:
        summary = ReviewSummary.of(entry, actor)
        return cls(**dict(summary), differences=list(entry.differences))


class ReviewList(BaseModel):
    items: list[ReviewSummary]
    total: int
    page: int
    per_page: int


class DecisionRequest(BaseModel):
    decision: str = Field(description="duplicate, not_duplicate, homonym ou collision.")
    note: str | None = Field(default=None, max_length=2000)
    confirmed: bool = Field(default=False, description="Collision avérée (COLV), sinon COLP.")
    identity_id: UUID | None = Field(
        default=None, description="Collision : l'identité concernée (par défaut les deux)."
    )


class CollisionRequest(BaseModel):
    confirmed: bool = Field(default=False, description="Collision avérée (COLV), sinon COLP.")
    note: str | None = Field(default=None, max_length=2000)


class CollisionList(BaseModel):
    items: list[IdentityPublic]
    total: int
    page: int
    per_page: int


class DuplicateIndicatorsPublic(BaseModel):
    found: int
    pending: int
    to_merge: int
    resolved: int
    collisions: int
    by_status: dict[str, int]

    @classmethod
    def render(cls, indicators: DuplicateIndicators) -> DuplicateIndicatorsPublic:
        return cls(**vars(indicators))


@router.get(
    "/duplicates",
    response_model=ReviewList,
    responses=problem_responses(401, 403, 422),
    summary="Liste de travail des doublons potentiels (bloquants puis meilleur score)",
)
def list_reviews(
    actor: ActorDep,
    uow: UowDep,
    rules: RulesDep,
    status: Annotated[str, Query(description="Statut, ou « all »")] = "pending",
    page: PageDep = 1,
    per_page: PerPageDep = 20,
) -> ReviewList:
    found = service.list_reviews(
        status=status, page=page, per_page=per_page, uow=uow, actor=actor, rules=rules
    )
    items = [ReviewSummary.of(e, actor) for e in found.items]
    return ReviewList(items=items, total=found.total, page=found.page, per_page=found.per_page)


@router.get(
    "/duplicates/indicators",
    response_model=DuplicateIndicatorsPublic,
    responses=problem_responses(401, 403),
    summary="Indicateurs : doublons trouvés, en attente, résolus ; collisions",
)
def indicators(actor: ActorDep, uow: UowDep, rules: RulesDep) -> DuplicateIndicatorsPublic:
    return DuplicateIndicatorsPublic.render(duplicate_indicators(uow=uow, actor=actor, rules=rules))


@router.get(
    "/duplicates/{review_id}",
    response_model=ReviewDetail,
    responses=problem_responses(401, 403, 404, 422),
    summary="Une paire : les deux identités côte à côte, différences, score, explication",
)
def review_detail(review_id: UUID, actor: ActorDep, uow: UowDep, rules: RulesDep) -> ReviewDetail:
    entry = service.review_detail(review_id, uow=uow, actor=actor, rules=rules)
    return ReviewDetail.of(entry, actor)


@router.post(
    "/duplicates/{review_id}/decision",
    dependencies=[requires(Permission.DUPLICATES_REVIEW)],
    response_model=ReviewDetail,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Décider : doublon (DOUA), pas un doublon, homonymes (HOMA), collision",
)
def decide(
    review_id: UUID, body: DecisionRequest, actor: ActorDep, uow: UowDep, rules: RulesDep
) -> ReviewDetail:
    entry = service.decide(
        review_id,
        body.decision,
        note=body.note,
        confirmed=body.confirmed,
        collision_identity_id=body.identity_id,
        uow=uow,
        actor=actor,
        rules=rules,
    )
    return ReviewDetail.of(entry, actor)


@router.get(
    "/collisions",
    response_model=CollisionList,
    responses=problem_responses(401, 403, 422),
    summary="Identités en collision (COLP, COLV) à traiter par l'identitovigilance",
)
def list_collisions(
    actor: ActorDep, uow: UowDep, rules: RulesDep, page: PageDep = 1, per_page: PerPageDep = 20
) -> CollisionList:
    found = collision_service.list_collisions(
        page=page, per_page=per_page, uow=uow, actor=actor, rules=rules
    )
    items = [IdentityPublic.render(i, actor) for i in found.items]
    return CollisionList(items=items, total=found.total, page=found.page, per_page=found.per_page)


@router.post(
    "/identities/{identity_id}/collision",
    dependencies=[requires(Permission.DUPLICATES_REVIEW)],
    response_model=IdentityPublic,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Déclarer une collision (deux personnes dans un dossier) : COLP ou COLV",
)
def declare_collision(
    identity_id: UUID, body: CollisionRequest, actor: ActorDep, uow: UowDep, rules: RulesDep
) -> IdentityPublic:
    identity = collision_service.declare_collision(
        identity_id, confirmed=body.confirmed, note=body.note, uow=uow, actor=actor, rules=rules
    )
    return IdentityPublic.render(identity, actor)


@router.delete(
    "/identities/{identity_id}/collision",
    dependencies=[requires(Permission.DUPLICATES_REVIEW)],
    response_model=IdentityPublic,
    responses=problem_responses(401, 403, 404, 409),
    summary="Résoudre la collision d'une identité",
)
def resolve_collision(
    identity_id: UUID,
    actor: ActorDep,
    uow: UowDep,
    rules: RulesDep,
    note: Annotated[str | None, Query(max_length=2000)] = None,
) -> IdentityPublic:
    identity = collision_service.resolve_collision(
        identity_id, note=note, uow=uow, actor=actor, rules=rules
    )
    return IdentityPublic.render(identity, actor)
