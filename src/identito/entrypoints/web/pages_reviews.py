"""The duplicate review worklist of identity vigilance: the list, one pair side by side,
its decisions (a confirmation first), then the merge form after « Doublon confirmé ».

Permission ``duplicates:review`` is checked by the services; the merge keeps its own
form and route (``pages_duplicates``, ``identity:merge``).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from identito.domain import merges as merge_rules
from identito.domain.duplicate_reviews import Decision
from identito.domain.errors import InvalidInput, InvalidTransition
from identito.domain.permissions import Permission
from identito.entrypoints.api.deps import ContainerDep
from identito.entrypoints.web.deps import FormDep, SessionDep
from identito.entrypoints.web.forms import text
from identito.entrypoints.web.pages_identities import place_label
from identito.entrypoints.web.rendering import render
from identito.entrypoints.web.reviews_view import (
    ALL,
    CHOICES,
    REVIEW_STATUS_LABELS,
    STATUS_FILTERS,
    collision_target,
)
from identito.services import duplicate_decisions as service
from identito.services.duplicate_decisions import ReviewEntry

router = APIRouter(include_in_schema=False)

PER_PAGE = 20
MESSAGES = {
    "duplicate": "Doublon confirmé (DOUA) enregistré : vous pouvez maintenant fusionner les deux "
    "identités.",
    "not_duplicate": "Décision enregistrée : pas un doublon. La paire ne sera plus proposée tant "
    "qu'aucun trait ne change.",
    "homonym": "Décision enregistrée : homonymes. Les deux identités portent l'attribut "
    "« Homonyme » (HOMA).",
    "collision": "Collision enregistrée : le matricule INS de l'identité concernée n'est plus "
    "diffusé.",
}
TARGET_MISSING = "Choisissez l'identité concernée par la collision : fiche 1, fiche 2 ou les deux."


def _page_number(value: str | None) -> int:
    return int(value) if value and value.isdigit() and int(value) > 0 else 1


@router.get("/doublons")
def worklist(request: Request, session: SessionDep, container: ContainerDep) -> Response:
    """The pairs of one status (« à examiner » by default), best score first, paged."""
    status = request.query_params.get("statut") or STATUS_FILTERS[0].value
    found = service.list_reviews(
        status=status, page=_page_number(request.query_params.get("page")), per_page=PER_PAGE,
        uow=container.uow_factory(), actor=session.actor, rules=container.rules,
    )  # fmt: skip
    labels = {s.value: label for s, label in REVIEW_STATUS_LABELS.items()}
    context = {
        "title": "Doublons à examiner",
        "status": status,
        "filters": {**labels, ALL: "Toutes"},
        "found": found,
        "last_page": max(1, -(-found.total // found.per_page)),
    }
    return render(request, "reviews.html", context)


def _review_context(
    entry: ReviewEntry, session: SessionDep, container: ContainerDep, **extra: Any
) -> dict[str, Any]:
    first, second = entry.first, entry.second
    places = {
        i.id: place_label(i.traits.birth_place_code, i.traits.birth_date.value, session.actor,
                          container)
        for i in (first, second)
    }  # fmt: skip
    return {
        "title": "Examen d'un doublon potentiel",
        "entry": entry,
        "review": entry.review,
        "left": first,
        "right": second,
        "pair": entry.review,  # the stored score and explanation (as the worklist shows)
        "show_ins": session.actor.can(Permission.INS_READ),
        "places": {k: v for k, v in places.items() if v},
        "choices": CHOICES,
        "survivor_id": merge_rules.default_survivor(first, second).id,
        "merge_error": None,
        "merge_confirm": None,
        "confirm": None,
        "error": None,
        "message": None,
        **extra,
    }


@router.get("/doublons/{review_id}")
def review_page(
    request: Request, review_id: UUID, session: SessionDep, container: ContainerDep
) -> Response:
    """Both identities side by side, the score and its explanation, the decisions."""
    entry = service.review_detail(
        review_id, uow=container.uow_factory(), actor=session.actor, rules=container.rules
    )
    message = MESSAGES.get(request.query_params.get("message", ""))
    return render(
        request, "review.html", _review_context(entry, session, container, message=message)
    )


@router.post("/doublons/{review_id}/decision")
def decide(
    request: Request, review_id: UUID, session: SessionDep, container: ContainerDep, form: FormDep
) -> Response:
    """First the consequences and a confirmation, then the decision (``confirmer=1``)."""
    actor, rules = session.actor, container.rules
    entry = service.review_detail(review_id, uow=container.uow_factory(), actor=actor, rules=rules)
    choice = CHOICES.get(text(form, "decision") or "")
    note, target_field = text(form, "note"), text(form, "identite_collision")
    context = _review_context(entry, session, container, note=note, target_field=target_field)
    if choice is None:
        return render(request, "review.html", {**context, "error": "Choisissez une décision."}, 422)
    target = None
    if choice.is_collision:
        try:
            target = collision_target(target_field, entry.first, entry.second)
        except ValueError:
            return render(request, "review.html", {**context, "error": TARGET_MISSING}, 422)
    if form.get("confirmer") != "1":
        return render(request, "review.html", {**context, "confirm": choice, "target": target})
    try:
        service.decide(
            review_id, choice.decision.value, note=note, confirmed=choice.confirmed,
            collision_identity_id=target, uow=container.uow_factory(), actor=actor, rules=rules,
        )  # fmt: skip
    except InvalidInput as error:
        message = " ".join(e.message for e in error.errors)
        return render(request, "review.html", {**context, "error": message}, 422)
    except InvalidTransition as error:
        return render(request, "review.html", {**context, "error": error.message}, 409)
    anchor = "#fusion" if choice.decision is Decision.DUPLICATE else ""
    location = f"/doublons/{review_id}?message={choice.decision.value}{anchor}"
    return RedirectResponse(location, status_code=303)
