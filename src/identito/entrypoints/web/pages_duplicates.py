"""Potential duplicates of an identity, side-by-side comparison, merge and unmerge.

The check before saving (creation and change of traits) lives in the creation and
modification views (``duplicates_view.check_before_saving``). Merging and undoing a
merge are two steps: the consequences, then an explicit confirmation.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from identito.domain import merges as merge_rules
from identito.domain.errors import InvalidTransition, NotFound
from identito.domain.identity import Identity
from identito.domain.permissions import Permission
from identito.entrypoints.api.deps import ContainerDep
from identito.entrypoints.web.deps import FormDep, SessionDep
from identito.entrypoints.web.forms import text
from identito.entrypoints.web.pages_identities import place_label
from identito.entrypoints.web.rendering import is_htmx, render
from identito.services import identities as identity_service
from identito.services.duplicates import find_duplicates, score
from identito.services.merges import check_merge, get_merge, merge_identities, unmerge

router = APIRouter(include_in_schema=False)

#: Most potential duplicates listed on an identity sheet.
SHEET_LIMIT = 10


def _load(identity_id: UUID, session: SessionDep, container: ContainerDep) -> Identity:
    return identity_service.get_identity(
        identity_id, uow=container.uow_factory(), actor=session.actor, rules=container.rules
    )


@router.get("/identites/{identity_id}/doublons")
def duplicates(
    request: Request, identity_id: UUID, session: SessionDep, container: ContainerDep
) -> Response:
    """The « Doublons potentiels » section of a sheet (htmx), or a page of its own."""
    found = find_duplicates(
        identity_id, uow=container.uow_factory(), actor=session.actor, rules=container.rules,
        limit=SHEET_LIMIT,
    )  # fmt: skip
    context: dict[str, Any] = {"identity_id": identity_id, "duplicates": found}
    if is_htmx(request):
        return render(request, "_duplicates.html", context)
    identity = _load(identity_id, session, container)
    traits = identity.traits
    title = f"Doublons potentiels : {traits.birth_name} {traits.first_birth_first_name}"
    return render(request, "duplicates.html", {**context, "identity": identity, "title": title})


def birth_places(
    identities: tuple[Identity, ...], session: SessionDep, container: ContainerDep
) -> dict[Any, str]:
    """The birth place label of each identity (by id) of a side-by-side view, when known."""
    labels = {
        i.id: place_label(i.traits.birth_place_code, i.traits.birth_date.value, session.actor,
                          container)
        for i in identities
    }  # fmt: skip
    return {k: v for k, v in labels.items() if v}


def _comparison_context(
    left: Identity, right: Identity, session: SessionDep, container: ContainerDep, **extra: Any
) -> dict[str, Any]:
    places = birth_places((left, right), session, container)
    return {
        "title": "Comparaison de deux identités",
        "left": left,
        "right": right,
        "pair": score(left, right),
        "show_ins": session.actor.can(Permission.INS_READ),
        "places": places,
        "survivor_id": merge_rules.default_survivor(left, right).id,
        "merge_error": None,
        "merge_confirm": None,
        **extra,
    }


@router.get("/identites/{identity_id}/comparer/{other_id}")
def compare(
    request: Request,
    identity_id: UUID,
    other_id: UUID,
    session: SessionDep,
    container: ContainerDep,
) -> Response:
    """Two identities side by side, with the score; the merge form for identity:merge."""
    left = _load(identity_id, session, container)
    right = _load(other_id, session, container)
    return render(request, "compare.html", _comparison_context(left, right, session, container))


@router.post("/fusions")
def merge(
    request: Request, session: SessionDep, container: ContainerDep, form: FormDep
) -> Response:
    session.actor.require(Permission.IDENTITY_MERGE)
    left = _load(_uuid(text(form, "left_id")), session, container)
    right = _load(_uuid(text(form, "right_id")), session, container)
    chosen = text(form, "survivor_id")
    if chosen not in (str(left.id), str(right.id)):
        message = "Choisissez l'identité à conserver."
        context = _comparison_context(left, right, session, container, merge_error=message)
        return render(request, "compare.html", context, 422)
    survivor, merged = (left, right) if chosen == str(left.id) else (right, left)
    try:
        if form.get("confirmer") != "1":
            check_merge(
                survivor.id, merged.id, uow=container.uow_factory(), actor=session.actor,
                rules=container.rules,
            )  # fmt: skip
            context = _comparison_context(
                left, right, session, container, survivor_id=survivor.id,
                merge_confirm={"survivor": survivor, "merged": merged},
            )  # fmt: skip
            return render(request, "compare.html", context)
        merge_identities(
            survivor.id, merged.id, uow=container.uow_factory(), actor=session.actor,
            rules=container.rules,
        )  # fmt: skip
    except InvalidTransition as error:
        context = _comparison_context(
            left, right, session, container, survivor_id=survivor.id, merge_error=error.message
        )
        return render(request, "compare.html", context, 409)
    return RedirectResponse(f"/identites/{survivor.id}?message=fusionnee", status_code=303)


@router.post("/fusions/{merge_id}/annuler")
def cancel_merge(
    request: Request, merge_id: UUID, session: SessionDep, container: ContainerDep, form: FormDep
) -> Response:
    session.actor.require(Permission.IDENTITY_MERGE)
    record = get_merge(merge_id, uow=container.uow_factory(), actor=session.actor)
    survivor = _load(record.survivor_id, session, container)
    merged = _load(record.merged_id, session, container)
    context = {
        "title": "Annuler une fusion",
        "record": record,
        "survivor": survivor,
        "merged": merged,
        "error": None,
    }
    if form.get("confirmer") != "1":
        return render(request, "unmerge.html", context)
    try:
        unmerge(merge_id, uow=container.uow_factory(), actor=session.actor, rules=container.rules)
    except InvalidTransition as error:
        return render(request, "unmerge.html", {**context, "error": error.message}, 409)
    return RedirectResponse(f"/identites/{merged.id}?message=fusion_annulee", status_code=303)


def _uuid(value: str | None) -> UUID:
    try:
        return UUID(value or "")
    except ValueError:
        raise NotFound("Identité inconnue.") from None
