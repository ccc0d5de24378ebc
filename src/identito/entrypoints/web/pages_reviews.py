"""The duplicate review worklist of identity vigilance: the list, one pair side by side,
its decisions (checked, then confirmed), then the merge after « Doublon avéré ».

Permission ``duplicates:review`` is checked by the services. The merge of a confirmed
duplicate stays on the review page (its confirmation, its refusals, then « Fusionné »);
it needs ``identity:merge``, like the merge from the comparison page (``pages_duplicates``).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from identito.domain import merges as merge_rules
from identito.domain.duplicate_reviews import Decision, ReviewStatus
from identito.domain.errors import InvalidInput, InvalidTransition
from identito.domain.identity import Identity
from identito.domain.permissions import Permission
from identito.entrypoints.api.deps import ContainerDep
from identito.entrypoints.web.deps import FormDep, SessionDep
from identito.entrypoints.web.forms import text
from identito.entrypoints.web.pages_duplicates import birth_places
from identito.entrypoints.web.rendering import render
from identito.entrypoints.web.reviews_view import (
    ALL,
    CHOICES,
    STATUS_FILTERS,
    collision_target,
)
from identito.services import duplicate_decisions as service
from identito.services.duplicate_decisions import ReviewEntry
from identito.services.merges import check_merge, merge_identities
from identito.services.review_exports import export_reviews

router = APIRouter(include_in_schema=False)

PER_PAGE = 20
MESSAGES = {
    "duplicate": "Doublon avéré (DOUA) enregistré : vous pouvez maintenant fusionner les deux "
    "identités.",
    "not_duplicate": "Décision enregistrée : pas un doublon. La paire ne sera plus proposée tant "
    "qu'aucun trait ne change.",
    "homonym": "Décision enregistrée : homonymes. Les deux identités portent l'attribut "
    "« Homonyme » (HOMA).",
    "collision": "Collision enregistrée : le matricule INS de l'identité concernée n'est plus "
    "diffusé.",
    "merged": "Fusion enregistrée.",
}
TARGET_MISSING = "Choisissez l'identité concernée par la collision : fiche 1, fiche 2 ou les deux."
SURVIVOR_MISSING = "Choisissez l'identité à conserver."
NOT_CONFIRMED = (
    "Confirmez d'abord le doublon (DOUA) : seule une paire « Doublon avéré » se fusionne ici."
)


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
    labels = {s.value: s.label for s in ReviewStatus}
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
    places = birth_places((first, second), session, container)
    return {
        "title": "Examen d'un doublon potentiel",
        "entry": entry,
        "review": entry.review,
        "left": first,
        "right": second,
        "pair": entry.review,  # the stored score and explanation (as the worklist shows)
        "show_ins": session.actor.can(Permission.INS_READ),
        "places": places,
        "choices": CHOICES,
        "survivor_id": merge_rules.default_survivor(first, second).id,
        "merge_action": f"/doublons/{entry.review.id}/fusion",
        "merge_cancel": f"/doublons/{entry.review.id}#fusion",
        "merge_error": None,
        "merge_confirm": None,
        "merge_done": _merge_done(first, second),
        "confirm": None,
        "error": None,
        "message": None,
        **extra,
    }


def _merge_done(first: Identity, second: Identity) -> dict[str, Identity] | None:
    """The survivor and the merged identity when one of the pair is merged into the other."""
    for merged, survivor in ((first, second), (second, first)):
        if not merged.active and merged.merged_into == survivor.id:
            return {"survivor": survivor, "merged": merged}
    return None


@router.get("/doublons/export.csv")
def export(request: Request, session: SessionDep, container: ContainerDep) -> Response:
    """The pairs of one status as CSV for a French spreadsheet (audited)."""
    status = request.query_params.get("statut") or STATUS_FILTERS[0].value
    text, _ = export_reviews(status, uow=container.uow_factory(), actor=session.actor,
                             rules=container.rules)  # fmt: skip
    return Response(
        text.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="doublons-{status}.csv"'},
    )


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
    try:
        if form.get("confirmer") != "1":  # the domain's refusal, if any, before confirming
            service.check_decision(
                review_id, choice.decision.value, confirmed=choice.confirmed,
                collision_identity_id=target, uow=container.uow_factory(), actor=actor,
                rules=rules,
            )  # fmt: skip
            return render(request, "review.html", {**context, "confirm": choice, "target": target})
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


@router.post("/doublons/{review_id}/fusion")
def merge(
    request: Request, review_id: UUID, session: SessionDep, container: ContainerDep, form: FormDep
) -> Response:
    """The merge of a confirmed duplicate: its consequences, then ``confirmer=1``; its
    refusals are shown on the review page, which then shows the pair « Fusionné »."""
    actor = session.actor
    actor.require(Permission.IDENTITY_MERGE)
    entry = service.review_detail(
        review_id, uow=container.uow_factory(), actor=actor, rules=container.rules
    )
    context = _review_context(entry, session, container)
    if entry.review.status is not ReviewStatus.DUPLICATE:
        return render(request, "review.html", {**context, "error": NOT_CONFIRMED}, 409)
    chosen = text(form, "survivor_id")
    pair = {str(i.id): i for i in (entry.first, entry.second)}
    if chosen not in pair:
        return render(request, "review.html", {**context, "merge_error": SURVIVOR_MISSING}, 422)
    survivor = pair.pop(chosen)
    [merged] = pair.values()
    context["survivor_id"] = survivor.id
    try:
        if form.get("confirmer") != "1":
            check_merge(
                survivor.id, merged.id, uow=container.uow_factory(), actor=session.actor,
                rules=container.rules,
            )  # fmt: skip
            confirm = {"survivor": survivor, "merged": merged}
            return render(request, "review.html", {**context, "merge_confirm": confirm})
        merge_identities(
            survivor.id, merged.id, uow=container.uow_factory(), actor=actor, rules=container.rules
        )
    except InvalidTransition as error:
        return render(request, "review.html", {**context, "merge_error": error.message}, 409)
    return RedirectResponse(f"/doublons/{review_id}?message=merged", status_code=303)
