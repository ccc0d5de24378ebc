"""The readable audit journal: one identity's (``/identites/{id}/journal``) and every
row's (``/journal``, identity-vigilance unit and administrators), filtered by period,
user and action, a page at a time.

Permission ``audit:read`` is checked by ``services.audit_journal``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from identito.domain.errors import InvalidInput
from identito.domain.events import AuditAction
from identito.domain.identifiers import InsKind
from identito.domain.permissions import Permission
from identito.domain.status import CollisionLevel, IdentityAttribute, IdentityStatus
from identito.domain.traits import Sex
from identito.entrypoints.api.deps import ContainerDep
from identito.entrypoints.web.deps import SessionDep
from identito.entrypoints.web.forms import iso_date
from identito.entrypoints.web.rendering import FIELD_LABELS, PARIS, date_fr, render, templates
from identito.services import audit_journal as service
from identito.services.identities import get_identity

router = APIRouter(include_in_schema=False)

#: Labels of the snapshot keys that are not form fields.
CHANGE_LABELS = {
    **FIELD_LABELS,
    "status": "Statut",
    "attributes": "Attributs",
    "collision": "Collision",
}
#: The actions offered by the filter, by label.
ACTIONS = sorted(AuditAction, key=lambda action: action.label)
DATE_MESSAGE = "La date s'écrit JJ/MM/AAAA (ou AAAA-MM-JJ)."
ACTION_MESSAGE = "Action inconnue : choisissez-la dans la liste."


def shown_value(value: Any, field: str) -> str:
    """A snapshot value as the journal shows it (« — » when empty)."""
    if value is None or value in ("", []):
        return "aucun" if field == "attributes" else "—"
    shown = {
        "birth_date": lambda v: date_fr(str(v)),
        "sex": lambda v: Sex(v).label,
        "status": lambda v: IdentityStatus(v).label,
        "attributes": lambda v: ", ".join(IdentityAttribute(a).label for a in v),
        "collision": lambda v: CollisionLevel(v).label,
        "ins": lambda v: f"{v.get('number')} ({InsKind(v['kind']).label})",
    }.get(field)
    try:
        return shown(value) if shown else _plain(value)
    except (ValueError, KeyError, TypeError, AttributeError):  # an older snapshot's shape
        return _plain(value)


def _plain(value: Any) -> str:
    return " ".join(str(v) for v in value) if isinstance(value, list) else str(value)


templates.env.filters.update(journal_value=shown_value)
templates.env.globals.update(CHANGE_LABELS=CHANGE_LABELS)


def _day(value: str | None, field: str) -> date | None:
    typed = iso_date(value)
    if typed is None:
        return None
    try:
        return date.fromisoformat(typed)
    except ValueError:
        raise InvalidInput.single(field, "date_format", DATE_MESSAGE) from None


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=PARIS)


def _query(request: Request, identity_id: UUID | None) -> service.JournalQuery:
    """The filters of the URL: ``du`` and ``au`` (days, inclusive, Paris time),
    ``utilisateur``, ``action`` (its stored value), ``page``."""
    params = request.query_params
    since, until = _day(params.get("du"), "du"), _day(params.get("au"), "au")
    action = params.get("action") or None
    if action is not None and action not in set(AuditAction):
        raise InvalidInput.single("action", "action_unknown", ACTION_MESSAGE)
    page = params.get("page") or "1"
    return service.JournalQuery(
        identity_id=identity_id,
        since=_start_of(since) if since else None,
        until=_start_of(until + timedelta(days=1)) if until else None,
        actor=(params.get("utilisateur") or "").strip() or None,
        action=AuditAction(action) if action else None,
        page=int(page) if page.isdigit() and int(page) > 0 else 1,
    )


def _filters(request: Request) -> dict[str, str]:
    names = ("du", "au", "utilisateur", "action")
    return {name: request.query_params.get(name) or "" for name in names}


def _page_links(request: Request, page: service.JournalPage) -> dict[str, str | None]:
    kept = {k: v for k, v in _filters(request).items() if v}

    def link(number: int) -> str:
        return f"{request.url.path}?{urlencode({**kept, 'page': number})}"

    return {
        "previous": link(page.page - 1) if page.page > 1 else None,
        "next": link(page.page + 1) if page.page < page.last_page else None,
    }


def _render(
    request: Request, context: dict[str, Any], build: Callable[[], service.JournalPage]
) -> Response:
    base = {"filters": _filters(request), "actions": ACTIONS, "journal": None}
    try:
        journal = build()
    except InvalidInput as error:
        messages = [e.message for e in error.errors]
        return render(request, "journal.html", {**base, **context, "errors": messages}, 422)
    links = _page_links(request, journal)
    return render(request, "journal.html", {**base, **context, "journal": journal, **links})


@router.get("/journal")
def global_journal(request: Request, session: SessionDep, container: ContainerDep) -> Response:
    """Every audit row, newest first (identity-vigilance unit, administrators)."""
    session.actor.require(Permission.AUDIT_READ)  # 403 before parsing the filters

    def build() -> service.JournalPage:
        query = _query(request, None)
        uow, rules = container.uow_factory(), container.rules
        return service.global_journal(query, uow=uow, actor=session.actor, rules=rules)

    return _render(request, {"title": "Journal de traçabilité", "identity": None}, build)


@router.get("/identites/{identity_id}/journal")
def identity_journal(
    request: Request, identity_id: UUID, session: SessionDep, container: ContainerDep
) -> Response:
    """One identity's audit rows, newest first."""
    actor, rules = session.actor, container.rules
    actor.require(Permission.AUDIT_READ)
    identity = get_identity(identity_id, uow=container.uow_factory(), actor=actor, rules=rules)
    traits = identity.traits
    title = f"Journal : {traits.birth_name} {traits.first_birth_first_name}"

    def build() -> service.JournalPage:
        query = _query(request, identity_id)
        uow = container.uow_factory()
        return service.identity_journal(query, uow=uow, actor=actor, rules=rules)

    return _render(request, {"title": title, "identity": identity}, build)
