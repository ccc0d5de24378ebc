"""Templates, French labels and small display helpers (no rule here)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from identito.domain.errors import FieldError
from identito.domain.events import AuditAction
from identito.domain.identifiers import InsKind
from identito.domain.ins_source import INSI_SEX
from identito.domain.insi import CollectionMethod, InsiOutcome
from identito.domain.permissions import Permission, Role
from identito.domain.status import (
    ATTRIBUTE_LABELS,
    STATUS_LABELS,
    CollisionLevel,
    IdentityAttribute,
    IdentityStatus,
)
from identito.domain.traits import Sex
from identito.geography.model import PlaceKind
from identito.messages.label_print import SHEET_MAX
from identito.services.insi_records import Decision as InsiDecision
from identito.services.teleservice import CallMode
from identito.services.verification_records import EntryKind, VerificationResult

HERE = Path(__file__).parent
PARIS = ZoneInfo("Europe/Paris")

FIELD_LABELS = {
    "birth_name": "Nom de naissance",
    "birth_first_names": "Prénom(s) de naissance",
    "first_birth_first_name": "1er prénom de naissance",
    "birth_date": "Date de naissance",
    "sex": "Sexe",
    "birth_place_code": "Lieu de naissance (code INSEE)",
    "used_name": "Nom utilisé",
    "used_first_name": "Prénom utilisé",
    "name": "Nom",
    "first_name": "Prénom",
    "ins": "Matricule INS",
    "birth_year": "Année de naissance",
    "born_from": "Début de la période",
    "born_to": "Fin de la période",
    "document_type": "Type de pièce d'identité",
    "document_expiry": "Date d'expiration de la pièce",
}
#: Sex codes (form values) and their label, for the selects and raw traits.
SEX_LABELS = {sex.value: sex.label for sex in Sex}
ATTRIBUTE_ORDER = tuple(IdentityAttribute)

templates = Jinja2Templates(directory=HERE / "templates")


def date_fr(value: date | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):  # a raw birth date, maybe exceptional (00)
        year, month, day = value.split("-")
        return f"{day}/{month}/{year}"
    return value.strftime("%d/%m/%Y")


def datetime_fr(value: datetime | None) -> str:
    return value.astimezone(PARIS).strftime("%d/%m/%Y %H:%M") if value else ""


def percent(value: float) -> str:
    return f"{value * 100:.1f} %".replace(".", ",")


def label(value: object, vocabulary: type[StrEnum] | None = None) -> str:
    """The French label of a vocabulary member (``{{ call.outcome|label }}``); a stored
    value is first read as a member of ``vocabulary`` (``{{ c.mode|label(CallMode) }}``).
    A value the vocabulary does not know is shown as it is."""
    if value is None:
        return ""
    if vocabulary is not None and not isinstance(value, vocabulary):
        try:
            value = vocabulary(str(value))
        except ValueError:
            return str(value)
    shown = getattr(value, "label", None)
    return shown if isinstance(shown, str) else str(value)


templates.env.filters.update(date_fr=date_fr, datetime_fr=datetime_fr, percent=percent, label=label)
templates.env.globals.update(
    P=Permission,
    Role=Role,
    CallMode=CallMode,
    EntryKind=EntryKind,
    InsiDecision=InsiDecision,
    PlaceKind=PlaceKind,
    VerificationResult=VerificationResult,
    AuditAction=AuditAction,
    CollectionMethod=CollectionMethod,
    CollisionLevel=CollisionLevel,
    IdentityStatus=IdentityStatus,
    InsKind=InsKind,
    InsiOutcome=InsiOutcome,
    Sex=Sex,
    FIELD_LABELS=FIELD_LABELS,
    SEX_LABELS=SEX_LABELS,
    STATUS_LABELS=STATUS_LABELS,
    ATTRIBUTE_LABELS=ATTRIBUTE_LABELS,
    ATTRIBUTE_ORDER=ATTRIBUTE_ORDER,
    INSI_SEX=INSI_SEX,
    LABEL_SHEET_MAX=SHEET_MAX,
)


def render(
    request: Request, template: str, context: Mapping[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    session = getattr(request.state, "web_session", None)
    demo = request.app.state.container.settings.test_mode
    return templates.TemplateResponse(
        request, template, {"session": session, "demo": demo, **(context or {})}, status_code=status
    )


#: The forms take a date as JJ/MM/AAAA (the hint) or AAAA-MM-JJ; the domain's message
#: names the API's form only.
WEB_DATE_FORMAT_MESSAGE = "La date de naissance s'écrit JJ/MM/AAAA (ou AAAA-MM-JJ)."


def shown_message(error: FieldError) -> str:
    """The message a form shows: the domain's, but a badly written birth date names the
    JJ/MM/AAAA form the hint shows."""
    if error.rule == "date_format" and error.field.split(".")[-1].startswith("birth_date"):
        return WEB_DATE_FORMAT_MESSAGE
    return error.message


def field_errors(errors: Iterable[FieldError]) -> dict[str, list[str]]:
    """Messages by form field (``birth_first_names[1]`` belongs to ``birth_first_names``)."""
    by_field: dict[str, list[str]] = {}
    for error in errors:
        name = error.field.split("[")[0].split(".")[0]
        by_field.setdefault(name, []).append(shown_message(error))
    return by_field


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"
