"""Templates, French labels and small display helpers (no rule here)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from identito.domain.errors import FieldError
from identito.domain.identifiers import InsKind
from identito.domain.ins_source import INSI_SEX
from identito.domain.permissions import Permission, Role
from identito.domain.status import ATTRIBUTE_LABELS, STATUS_LABELS, IdentityAttribute
from identito.messages.label_print import SHEET_MAX

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
SEX_LABELS = {"M": "Masculin", "F": "Féminin", "I": "Indéterminé"}
INS_KIND_LABELS = {
    InsKind.NIR: "NIR",
    InsKind.NIA: "NIA (numéro identifiant d'attente)",
    InsKind.NIR_TEST: "NIR de test",
    InsKind.NIR_DEMO: "NIR de démonstration",
}
ROLE_LABELS = {
    Role.ADMIN: "Administrateur",
    Role.IDENTITY_VIGILANCE: "Cellule d'identitovigilance",
    Role.ADMISSION: "Admission (accueil)",
    Role.CARE: "Soignant (consultation)",
    Role.STATISTICS: "Statistiques (indicateurs seulement)",
    Role.INTERFACE: "Compte d'interface (réception des messages seulement)",
}
AUDIT_LABELS = {
    "identity.created": "Création",
    "identity.imported": "Import",
    "identity.traits_changed": "Modification des traits",
    "identity.ins_retrieved": "Récupération de l'INS",
    "identity.ins_changed": "Saisie du matricule INS (à vérifier)",
    "identity.ins_confirmed": "Matricule INS saisi confirmé par INSi",
    "identity.ins_invalidated": "Invalidation du matricule INS",
    "identity.nss_changed": "NSS de facturation (numéro de sécurité sociale)",
    "identity.status_changed": "Changement de statut",
    "identity.attributes_changed": "Changement d'attributs",
    "identity.validated": "Validation (pièce contrôlée)",
    "identity.read": "Lecture du matricule INS",
    "identity.diffused": "Diffusion (export ou message)",
    "identity.merged": "Fusion",
    "identity.unmerged": "Annulation de fusion",
}
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


templates.env.filters.update(date_fr=date_fr, datetime_fr=datetime_fr, percent=percent)
templates.env.globals.update(
    P=Permission,
    FIELD_LABELS=FIELD_LABELS,
    SEX_LABELS=SEX_LABELS,
    STATUS_LABELS=STATUS_LABELS,
    ATTRIBUTE_LABELS=ATTRIBUTE_LABELS,
    ATTRIBUTE_ORDER=ATTRIBUTE_ORDER,
    INS_KIND_LABELS=INS_KIND_LABELS,
    INSI_SEX=INSI_SEX,
    ROLE_LABELS=ROLE_LABELS,
    AUDIT_LABELS=AUDIT_LABELS,
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
