"""Anteriority search, creation (with the birth place picker and normalisation), sheet."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from identito.domain.errors import InvalidInput
from identito.domain.insi import CollectionMethod
from identito.domain.permissions import Actor, Permission
from identito.domain.same_person import SamePersonExists
from identito.domain.trait_set import MANDATORY_FIELDS, TRAIT_FIELDS
from identito.domain.traits import BirthDate, NameKind, normalize_name
from identito.entrypoints.api.deps import ContainerDep
from identito.entrypoints.web.deps import FormDep, SessionDep
from identito.entrypoints.web.duplicates_view import check_before_saving
from identito.entrypoints.web.forms import (
    asks_birth_date_confirmation,
    birth_date_confirmed,
    iso_date,
    text,
    traits_from,
    typed_values,
)
from identito.entrypoints.web.pages_insi import sheet_calls
from identito.entrypoints.web.rendering import field_errors, is_htmx, render
from identito.entrypoints.web.reviews_view import sheet_links
from identito.entrypoints.web.search_view import (
    TRAIT_SEARCH_FIELDS,
    ResultRow,
    plain_rows,
    search_by_traits,
)
from identito.services import identities as service
from identito.services.places import lookup_place, search_places

router = APIRouter(include_in_schema=False)

SEARCH_FIELDS = ("birth_date", "name", "first_name", "sex")
SCANNED_TRAITS = (
    "birth_name",
    "birth_first_names",
    "first_birth_first_name",
    "birth_date",
    "sex",
    "birth_place_code",
)
MESSAGES = {
    "creee": "Identité créée (statut provisoire).",
    "modifiee": "Modification enregistrée.",
    "inchangee": "Aucune modification : rien n'a été enregistré.",
    "validee": "Validation enregistrée.",
    "attributs": "Attributs enregistrés.",
    "nss": "NSS de facturation enregistré (ni le statut ni l'INS ne changent).",
    "insi_acceptee": "Identité INSi acceptée : traits et matricule INS intégrés.",
    "insi_refusee": "Identité INSi refusée : la fiche n'a pas été modifiée (décision tracée).",
    "insi_creee": "Identité créée à partir de la réponse INSi (statut récupérée).",
    "fusionnee": "Fusion enregistrée : l'autre identité est inactive, rattachée à celle-ci.",
    "fusion_annulee": "Fusion annulée : l'identité est de nouveau active, comme avant la fusion.",
    "collision_declaree": "Collision enregistrée : le matricule INS de cette identité n'est plus "
    "diffusé.",
    "collision_resolue": "Collision résolue : le matricule INS peut de nouveau être diffusé.",
}


@router.get("/recherche")
def search_page(request: Request, session: SessionDep, container: ContainerDep) -> Response:
    actor = session.actor
    actor.require(Permission.IDENTITY_SEARCH)
    query = request.query_params
    mode = query.get("mode")
    values = {name: query.get(name, "") for name in (*TRAIT_SEARCH_FIELDS, "ins", "nss")}
    results: list[ResultRow] | None = None
    errors: dict[str, list[str]] = {}
    if mode == "ins" and not values["ins"]:
        errors = {"ins": ["Saisissez le matricule INS (15 caractères)."]}
    elif mode == "nss" and not values["nss"]:
        errors = {"nss": ["Saisissez le NSS (15 caractères)."]}
    elif mode in ("traits", "ins", "nss"):
        try:
            if mode in ("ins", "nss"):
                if mode == "nss":  # R-AS-04: exact search by billing NSS, which is a NIR too
                    actor.require(Permission.INS_READ)
                found = service.search_identities(
                    **{mode: values[mode]}, uow=container.uow_factory(), actor=actor,
                    rules=container.rules,
                )  # fmt: skip
                results = plain_rows(found)
            else:
                results = search_by_traits(values, container=container, actor=actor)
        except InvalidInput as error:
            errors = field_errors(error.errors)
    context = {
        "title": "Recherche d'antériorité",
        "mode": mode,
        "values": values,
        "errors": errors,
        "results": results,
        "searched": request.url.query if results is not None else "",
        "scan_creation": _scan_creation(query, values),
        "date_unknown": any(values[k] for k in ("birth_year", "born_from", "born_to")),
    }
    template = "_results.html" if is_htmx(request) else "search.html"
    return render(request, template, context, 422 if errors and not is_htmx(request) else 200)


def _scan_creation(query: Mapping[str, str], values: Mapping[str, str]) -> str | None:
    """After a DataMatrix scan (``methode=CB``): the query of the prefilled creation form."""
    if query.get("methode") != CollectionMethod.BARCODE.value:
        return None
    scanned = {
        "methode": CollectionMethod.BARCODE.value,
        "birth_name": values["name"],
        "birth_first_names": query.get("prenoms", ""),
        "first_birth_first_name": values["first_name"],
        "birth_date": values["birth_date"],
        "sex": values["sex"],
        "birth_place_code": query.get("lieu", ""),
    }
    return urlencode(scanned)


def _creation_context(request: Request, **extra: Any) -> dict[str, Any]:
    searched = {k: request.query_params.get(k) for k in SEARCH_FIELDS}
    return {
        "title": "Créer une identité",
        "mandatory": MANDATORY_FIELDS,
        "values": {},
        "errors": {},
        "searched": {k: v for k, v in searched.items() if v},
        "collection_method": None,
        "check": None,
        "trait_fields": TRAIT_FIELDS,
        **extra,
    }


@router.get("/identites/nouvelle")
def creation_form(request: Request, session: SessionDep) -> Response:
    """Empty, except after a DataMatrix scan: the patient's document then prefills it."""
    session.actor.require(Permission.IDENTITY_CREATE)
    query = request.query_params
    if query.get("methode") == CollectionMethod.BARCODE.value:
        values = {name: query.get(name, "") for name in SCANNED_TRAITS}
        context = _creation_context(
            request, values=values, searched={}, collection_method=CollectionMethod.BARCODE.value
        )
        return render(request, "create.html", context)
    return render(request, "create.html", _creation_context(request))


@router.post("/identites/nouvelle")
def create(
    request: Request, session: SessionDep, container: ContainerDep, form: FormDep
) -> Response:
    session.actor.require(Permission.IDENTITY_CREATE)  # before showing any duplicate
    method = text(form, "collection_method")
    data = traits_from(form)
    try:
        check = check_before_saving(data, form, container=container, actor=session.actor)
        if check.unseen:  # shown first; « Créer quand même » is an explicit second submit
            return _show_check(request, session, form, method, check)
        try:
            identity = service.create_identity(
                data, uow=container.uow_factory(), actor=session.actor,
                rules=container.rules, collection_method=method,
                old_birth_date_confirmed=birth_date_confirmed(form), anyway=bool(check.found),
            )  # fmt: skip
        except SamePersonExists:  # created by someone else since the check: shown now
            check = check_before_saving(data, {}, container=container, actor=session.actor)
            return _show_check(request, session, form, method, check, status=409)
    except InvalidInput as error:
        context = _creation_context(
            request,
            values=typed_values(form),
            errors=field_errors(error.errors),
            searched={},
            collection_method=method,
            ask_birth_date_confirmation=asks_birth_date_confirmation(error.errors),
        )
        return render(request, "create.html", context, 422)
    return RedirectResponse(f"/identites/{identity.id}?message=creee", status_code=303)


def _show_check(
    request: Request,
    session: Any,
    form: Any,
    method: str | None,
    check: Any,
    status: int = 200,
) -> Response:
    """The potential duplicates before saving, with « Créer quand même »."""
    context = _creation_context(
        request, values=typed_values(form), searched={}, collection_method=method,
        check=check, show_ins=session.actor.can(Permission.INS_READ),
    )  # fmt: skip
    if status != 200 and not check.found:
        context["error"] = "Une identité active porte déjà ces traits stricts."
    return render(request, "create.html", context, status)


_NAME_KINDS = {
    "birth_name": NameKind.NAME,
    "used_name": NameKind.NAME,
    "first_birth_first_name": NameKind.FIRST_NAME,
    "used_first_name": NameKind.FIRST_NAME,
    "birth_first_names": NameKind.FIRST_NAME,
}


@router.get("/identites/normaliser")
def normalised(request: Request, session: SessionDep) -> Response:
    """The name as it will be stored, computed by the domain's own rule (htmx)."""
    field = request.query_params.get("champ", "")
    raw = request.query_params.get(field, "")
    kind = _NAME_KINDS.get(field)
    result, error = None, None
    if kind is not None and raw.strip():
        try:
            parts = raw.split() if field == "birth_first_names" else [raw]
            result = " ".join(normalize_name(p, field=field, kind=kind) for p in parts)
        except InvalidInput as invalid:
            error = invalid.errors[0].message
    return render(request, "_normalised.html", {"result": result, "error": error})


def _birth_date(raw: str | None) -> Any:
    try:
        return BirthDate.parse(iso_date(raw) or "").value
    except InvalidInput:
        return None


@router.get("/lieux")
def places(request: Request, session: SessionDep, container: ContainerDep) -> Response:
    """Communes and countries valid at the birth date typed in the form (htmx)."""
    query = request.query_params
    on = _birth_date(query.get("birth_date"))
    name = query.get("lieu_recherche", "")
    found, message = [], None
    if on is None:
        message = "Saisissez d'abord une date de naissance valide : seuls les lieux valides à "
        message += "cette date sont proposés."
    elif len(name.strip()) >= 2:
        try:
            found = search_places(name, on, 15, actor=session.actor, geography=container.geography)
        except InvalidInput as error:
            message = error.errors[0].message
        if not found and message is None:
            message = f"Aucune commune ni aucun pays « {name} » valide au {on:%d/%m/%Y}."
    return render(request, "_places.html", {"places": found, "message": message, "on": on})


@router.get("/lieux/choisir")
def choose_place(request: Request, session: SessionDep, container: ContainerDep) -> Response:
    code = request.query_params.get("code", "")
    label = place_label(code, _birth_date(request.query_params.get("birth_date")), session.actor,
                        container)  # fmt: skip
    template = "_place_label.html" if request.query_params.get("libelle") else "_place_field.html"
    return render(request, template, {"code": code, "label": label})


def place_label(code: str, on: Any, actor: Actor, container: ContainerDep) -> str | None:
    if not code or on is None:
        return None
    try:
        check = lookup_place(code, on, actor=actor, geography=container.geography)
    except Exception as error:  # shown as the reason, never raised from a label
        return str(getattr(error, "message", "")) or None
    label = check.place.label if check.place else code
    return f"{label} — {check.warning}" if check.warning else label


@router.get("/identites/{identity_id}")
def sheet(
    request: Request, identity_id: UUID, session: SessionDep, container: ContainerDep
) -> Response:
    actor, rules = session.actor, container.rules
    identity = service.get_identity(
        identity_id, uow=container.uow_factory(), actor=actor, rules=rules
    )
    audit = None
    if actor.can(Permission.AUDIT_READ):
        audit = service.identity_audit(
            identity_id, uow=container.uow_factory(), actor=actor, rules=rules
        )
    traits = identity.traits
    context = {
        "title": f"Fiche : {traits.birth_name} {traits.first_birth_first_name}",
        "identity": identity,
        "place": place_label(traits.birth_place_code, traits.birth_date.value, actor, container),
        "audit": audit,
        "changes": [e for e in audit or () if e.before is not None or e.after is not None],
        "message": MESSAGES.get(request.query_params.get("message", "")),
        "just_saved": request.query_params.get("message") in MESSAGES,
        "insi_calls": sheet_calls(identity, session, container),
        **sheet_links(identity, actor, container),
    }
    return render(request, "identity.html", context)
