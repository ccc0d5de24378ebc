"""Collisions (two persons in one record): the list escalated to identity vigilance, and
the declaration or resolution of a collision on one identity, each confirmed first.

Permission ``duplicates:review`` is checked by ``services.collisions``.
"""

from __future__ import annotations

import copy
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from identito.domain.errors import InvalidTransition
from identito.domain.identity import Identity
from identito.domain.permissions import Permission
from identito.domain.status import CollisionLevel
from identito.entrypoints.api.deps import ContainerDep
from identito.entrypoints.web.deps import FormDep, SessionDep
from identito.entrypoints.web.forms import text
from identito.entrypoints.web.rendering import render
from identito.services import collisions as service
from identito.services.identities import get_identity
from identito.services.review_exports import export_collisions

router = APIRouter(include_in_schema=False)

PER_PAGE = 20
LEVEL_MISSING = "Choisissez le niveau : collision potentielle (COLP) ou avérée (COLV)."
DECLARE, RESOLVE = "declarer", "resoudre"
#: What may be declared on an identity: a potential collision may still be confirmed.
LEVELS_OFFERED = {
    None: (CollisionLevel.POTENTIAL, CollisionLevel.CONFIRMED),
    CollisionLevel.POTENTIAL: (CollisionLevel.CONFIRMED,),
    CollisionLevel.CONFIRMED: (),
}


@router.get("/collisions")
def collisions(request: Request, session: SessionDep, container: ContainerDep) -> Response:
    """Active identities carrying COLP or COLV, most recently changed first, paged."""
    raw = request.query_params.get("page", "")
    found = service.list_collisions(
        page=int(raw) if raw.isdigit() and int(raw) > 0 else 1, per_page=PER_PAGE,
        uow=container.uow_factory(), actor=session.actor, rules=container.rules,
    )  # fmt: skip
    context = {
        "title": "Collisions",
        "found": found,
        "last_page": max(1, -(-found.total // found.per_page)),
    }
    return render(request, "collisions.html", context)


@router.get("/collisions/export.csv")
def export(session: SessionDep, container: ContainerDep) -> Response:
    """The identities in collision as CSV for a French spreadsheet (audited)."""
    text, _ = export_collisions(uow=container.uow_factory(), actor=session.actor,
                                rules=container.rules)  # fmt: skip
    return Response(
        text.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="collisions.csv"'},
    )


def _identity(identity_id: UUID, session: SessionDep, container: ContainerDep) -> Identity:
    return get_identity(
        identity_id, uow=container.uow_factory(), actor=session.actor, rules=container.rules
    )


def _context(identity: Identity, **extra: Any) -> dict[str, Any]:
    name = f"{identity.traits.birth_name} {identity.traits.first_birth_first_name}"
    return {
        "title": f"Collision : {name}",
        "identity": identity,
        "levels": LEVELS_OFFERED[identity.collision],
        "confirm": None,
        "level": None,
        "note": None,
        "error": None,
        **extra,
    }


@router.get("/identites/{identity_id}/collision")
def collision_page(
    request: Request, identity_id: UUID, session: SessionDep, container: ContainerDep
) -> Response:
    """Declare a collision (COLP, COLV) or resolve the current one, with a note."""
    session.actor.require(Permission.DUPLICATES_REVIEW)
    identity = _identity(identity_id, session, container)
    return render(request, "collision.html", _context(identity))


@router.post("/identites/{identity_id}/collision")
def declare(
    request: Request, identity_id: UUID, session: SessionDep, container: ContainerDep, form: FormDep
) -> Response:
    session.actor.require(Permission.DUPLICATES_REVIEW)
    identity = _identity(identity_id, session, container)
    note, raw = text(form, "note"), text(form, "niveau")
    level = next((lv for lv in CollisionLevel if lv.value == raw), None)
    context = _context(identity, note=note, level=level)
    if level is None:
        return render(request, "collision.html", {**context, "error": LEVEL_MISSING}, 422)
    try:
        if form.get("confirmer") != "1":  # the domain's refusal, if any, before confirming
            copy.deepcopy(identity).declare_collision(level, now=container.rules.now())
            return render(request, "collision.html", {**context, "confirm": DECLARE})
        service.declare_collision(
            identity_id, confirmed=level is CollisionLevel.CONFIRMED, note=note,
            uow=container.uow_factory(), actor=session.actor, rules=container.rules,
        )  # fmt: skip
    except InvalidTransition as error:
        return render(request, "collision.html", {**context, "error": error.message}, 409)
    return RedirectResponse(f"/identites/{identity_id}?message=collision_declaree", 303)


@router.post("/identites/{identity_id}/collision/resolution")
def resolve(
    request: Request, identity_id: UUID, session: SessionDep, container: ContainerDep, form: FormDep
) -> Response:
    session.actor.require(Permission.DUPLICATES_REVIEW)
    identity = _identity(identity_id, session, container)
    note = text(form, "note")
    context = _context(identity, note=note)
    try:
        if form.get("confirmer") != "1":
            copy.deepcopy(identity).resolve_collision(now=container.rules.now())
            return render(request, "collision.html", {**context, "confirm": RESOLVE})
        service.resolve_collision(
            identity_id, note=note, uow=container.uow_factory(), actor=session.actor,
            rules=container.rules,
        )  # fmt: skip
    except InvalidTransition as error:
        return render(request, "collision.html", {**context, "error": error.message}, 409)
    return RedirectResponse(f"/identites/{identity_id}?message=collision_resolue", 303)
