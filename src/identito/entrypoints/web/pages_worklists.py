"""The identity-vigilance worklists as people work through them (issue 16 point 6):
the list with its filters, its CSV export, one decision on the checked entries."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from identito.domain.errors import FieldError, InvalidInput
from identito.domain.permissions import Permission
from identito.entrypoints.web.deps import ContainerDep, FormDep, SessionDep
from identito.entrypoints.web.rendering import field_errors, render, templates
from identito.entrypoints.web.reviews_view import menu_count
from identito.services.verification_records import (
    DECISION_LABELS,
    DECISIONS,
    ENTRY_LABELS,
    EntryKind,
)
from identito.services.vigilance import open_counts
from identito.services.worklist_tools import (
    BULK_DECISIONS,
    WorklistFilter,
    decide_entries,
    export_worklist,
    filtered_entries,
    insi_open_items,
    open_total,
)

router = APIRouter(include_in_schema=False)
BASE = "/listes-de-travail"


def vigilance_in_menu(request: Request) -> int | None:
    """Open entries of every identity-vigilance worklist (« Listes de travail »)."""
    return menu_count(request, Permission.IDENTITY_UPDATE_PROTECTED, open_total, "vigilance lists")


def insi_in_menu(request: Request) -> int | None:
    """Identities still to call in the unfinished INSi worklists."""
    return menu_count(request, Permission.INSI_CALL, insi_open_items, "INSi worklists")


templates.env.globals.update(vigilance_in_menu=vigilance_in_menu, insi_in_menu=insi_in_menu)


def _date(request: Request, name: str, errors: list[FieldError]) -> date | None:
    value = (request.query_params.get(name) or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.append(FieldError(name, "date", "Date attendue au format AAAA-MM-JJ."))
        return None


def _filter(request: Request) -> tuple[WorklistFilter, dict[str, list[str]]]:
    errors: list[FieldError] = []
    since, until = _date(request, "depuis", errors), _date(request, "jusqua", errors)
    flt = WorklistFilter((request.query_params.get("nom") or "").strip(), since, until)
    return flt, field_errors(errors)


def _query(kind: str, flt: WorklistFilter) -> str:
    parts = {"liste": kind, "nom": flt.name, "depuis": flt.since, "jusqua": flt.until}
    return "&".join(f"{k}={v}" for k, v in parts.items() if v)


def _kind_of(request: Request) -> str:
    return request.query_params.get("liste") or EntryKind.VERIFICATION_KO.value


def _page(
    request: Request, session: SessionDep, container: ContainerDep, status: int = 200,
    *, kind: str | None = None, **extra: Any,
) -> Response:  # fmt: skip
    kind = kind or _kind_of(request)
    flt, errors = _filter(request)
    uow, rules = container.uow_factory, container.rules
    entries = filtered_entries(kind, flt, uow=uow(), actor=session.actor, rules=rules)
    context = {
        "title": "Listes de travail de l'identitovigilance",
        "kind": EntryKind(kind),
        "entries": entries,
        "counts": open_counts(uow=uow(), actor=session.actor, rules=rules),
        "labels": ENTRY_LABELS,
        "decisions": DECISIONS,
        "decision_labels": DECISION_LABELS,
        "bulk_decisions": [d for d in BULK_DECISIONS if d in DECISIONS[EntryKind(kind)]],
        "filter": flt,
        "filter_errors": errors,
        "query": _query(kind, flt),
        "message": request.query_params.get("traite") and "Décision enregistrée et tracée.",
        "bulk": _bulk_message(request),
        "errors": {},
        **extra,
    }
    return render(request, "vigilance_worklist.html", context, status)


def _bulk_message(request: Request) -> str | None:
    decided, refused = request.query_params.get("groupees"), request.query_params.get("refusees")
    if decided is None or not decided.isdigit():
        return None
    plural = "s" if int(decided) > 1 else ""
    text = f"{decided} décision{plural} enregistrée{plural} et tracée{plural}."
    if refused and refused.isdigit() and int(refused):
        text += f" {refused} élément(s) refusé(s) : déjà traités ou décision impossible."
    return text


@router.get(BASE)
def worklists(request: Request, session: SessionDep, container: ContainerDep) -> Response:
    return _page(request, session, container)


@router.get(f"{BASE}/export.csv")
def export(request: Request, session: SessionDep, container: ContainerDep) -> Response:
    """The list as filtered, for a French spreadsheet (audited)."""
    kind = _kind_of(request)
    flt, _ = _filter(request)
    text, _rows = export_worklist(kind, flt, uow=container.uow_factory(), actor=session.actor,
                                  rules=container.rules)  # fmt: skip
    return Response(
        text.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="liste-de-travail-{kind}.csv"'},
    )


@router.post(f"{BASE}/decisions/groupees")
def decide_many(
    request: Request, session: SessionDep, container: ContainerDep, form: FormDep
) -> Response:
    kind = str(form.get("liste") or EntryKind.VERIFICATION_KO.value)
    ids: list[UUID] = []
    for value in form.getlist("entry_id"):
        try:
            ids.append(UUID(str(value)))
        except ValueError:
            continue
    try:
        outcome = decide_entries(
            ids, str(form.get("decision") or ""), comment=str(form.get("comment") or ""),
            uow=container.uow_factory(), actor=session.actor, rules=container.rules,
            teleservice=container.teleservice,
        )  # fmt: skip
    except InvalidInput as error:
        errors = field_errors(error.errors)
        return _page(request, session, container, 422, kind=kind, errors=errors)
    suffix = f"&groupees={outcome.decided}&refusees={len(outcome.refused)}"
    return RedirectResponse(f"{BASE}?liste={kind}{suffix}", status_code=303)
