"""Changes to an identity: traits (with confirmation of a downgrade), validation, attributes.

Every consequence shown before confirming comes from a dry run of the domain
(``services.previews``); saving calls the same use case as the API.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from identito.domain.change_reason import REASON_MAX_LENGTH
from identito.domain.errors import InvalidInput, InvalidTransition, StaleVersion
from identito.domain.identity import Identity
from identito.domain.permissions import Permission
from identito.domain.status import IdentityAttribute
from identito.domain.trait_set import MANDATORY_FIELDS, TRAIT_FIELDS
from identito.entrypoints.api.deps import ContainerDep
from identito.entrypoints.web.deps import FormDep, SessionDep
from identito.entrypoints.web.duplicates_view import DuplicateCheck, check_before_saving
from identito.entrypoints.web.forms import (
    asks_birth_date_confirmation,
    birth_date_confirmed,
    document_from,
    iso_date,
    text,
    traits_from,
    typed_values,
)
from identito.entrypoints.web.rendering import (
    FIELD_LABELS,
    SEX_LABELS,
    date_fr,
    field_errors,
    render,
)
from identito.services import identities as service
from identito.services.preferences import validation_documents
from identito.services.previews import (
    ChangePreview,
    locked_fields,
    preview_attributes,
    preview_update,
)

router = APIRouter(include_in_schema=False)


def _load(identity_id: UUID, session: SessionDep, container: ContainerDep) -> Identity:
    return service.get_identity(
        identity_id, uow=container.uow_factory(), actor=session.actor, rules=container.rules
    )


def _current_values(identity: Identity) -> dict[str, str]:
    values = {k: v for k, v in identity.traits.as_dict().items() if isinstance(v, str)}
    values["birth_first_names"] = " ".join(identity.traits.birth_first_names)
    return values


def consequences(preview: ChangePreview) -> list[str]:
    """French sentences for the facts of a dry run (the facts come from the domain)."""
    sentences = []
    if preview.status_after is not preview.status_before:
        sentences.append(
            f"L'identité passera du statut « {preview.status_before.label} » "
            f"au statut « {preview.status_after.label} »."
        )
    if preview.ins_invalidated:
        sentences.append(
            "Le matricule INS et son OID seront invalidés (conservés dans l'historique) ; "
            "le changement sera transmis aux applications abonnées."
        )
    if preview.validation_removed:
        sentences.append("Le contrôle de la pièce d'identité enregistré sera effacé.")
    return sentences


def shown_trait(name: str, value: Any) -> str:
    """A trait as the confirmation shows it (French date, sex label, list of first names)."""
    if value in (None, "", []):
        return "—"
    if name == "birth_date":
        return date_fr(str(value))
    if name == "sex":
        return SEX_LABELS.get(str(value), str(value))
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return str(value)


def trait_changes(preview: ChangePreview) -> list[tuple[str, str, str]]:
    """(label, before, after) of each changed trait, in the order of the form."""
    return [
        (
            FIELD_LABELS[name],
            shown_trait(name, preview.traits_before.get(name)),
            shown_trait(name, preview.traits_after.get(name)),
        )
        for name in preview.changed_fields
    ]


# -- traits ------------------------------------------------------------------------------


def _edit_page(
    request: Request, identity: Identity, session: SessionDep, status: int = 200, **extra: Any
) -> Response:
    locked = locked_fields(identity, session.actor)
    context = {
        "title": "Modifier l'identité",
        "identity": identity,
        "locked": locked,
        "editable": [f for f in TRAIT_FIELDS if f not in locked],
        "mandatory": MANDATORY_FIELDS,
        "values": _current_values(identity),
        "version": identity.version,
        "errors": {},
        "confirm": None,
        "check": None,
        "documents": [],
        "changes": [],
        "reason_max": REASON_MAX_LENGTH,
        **extra,
    }
    return render(request, "edit.html", context, status)


@router.get("/identites/{identity_id}/modifier")
def edit_form(
    request: Request, identity_id: UUID, session: SessionDep, container: ContainerDep
) -> Response:
    session.actor.require(Permission.IDENTITY_UPDATE)
    return _edit_page(request, _load(identity_id, session, container), session)


@router.post("/identites/{identity_id}/modifier")
def edit(
    request: Request,
    identity_id: UUID,
    session: SessionDep,
    container: ContainerDep,
    form: FormDep,
) -> Response:
    identity = _load(identity_id, session, container)
    fields = [f for f in TRAIT_FIELDS if f not in locked_fields(identity, session.actor)]
    changes = traits_from(form, fields)
    version = int(text(form, "version") or 0)
    confirmed = birth_date_confirmed(form)
    kwargs: dict[str, Any] = {
        "uow": container.uow_factory(), "actor": session.actor, "rules": container.rules,
    }  # fmt: skip
    typed = {**_current_values(identity), **typed_values(form)}
    page = partial(_edit_page, request, identity, session, values=typed, version=version)
    preview = None
    try:
        preview = preview_update(
            identity_id, version, changes, old_birth_date_confirmed=confirmed, **kwargs
        )
        if not preview.changed:
            return RedirectResponse(f"/identites/{identity_id}?message=inchangee", 303)
        data = {**identity.traits.as_dict(), **changes}
        check = check_before_saving(
            data, form, container=container, actor=session.actor, exclude=identity_id
        )
        downgrade = preview.needs_confirmation and form.get("confirmer") != "1"
        if downgrade or check.unseen:
            return page(**_confirmation(preview, check, session, container))
        kwargs["uow"] = container.uow_factory()
        service.update_identity(
            identity_id, version, changes, document=document_from(form),
            old_birth_date_confirmed=confirmed, reason=text(form, "reason"),
            require_reason=True, **kwargs,
        )  # fmt: skip
    except InvalidInput as error:
        return _refused(page, error, preview, session, container)
    except StaleVersion as error:
        return _edit_page(request, identity, session, 412, stale=error.message)
    return RedirectResponse(f"/identites/{identity_id}?message=modifiee", status_code=303)


def _refused(
    page: Callable[..., Response],
    error: InvalidInput,
    preview: ChangePreview | None,
    session: SessionDep,
    container: ContainerDep,
) -> Response:
    """The form again with the errors: at the confirmation step when the document checked
    again is refused; with the confirmation checkbox when an old birth date needs it."""
    errors = field_errors(error.errors)
    if preview is not None and any(f.startswith(("document", "reason")) for f in errors):
        step = _confirmation(preview, DuplicateCheck([], unseen=False), session, container)
        return page(status=422, errors=errors, **step)
    asked = asks_birth_date_confirmation(error.errors)
    return page(status=422, errors=errors, ask_birth_date_confirmation=asked)


def _confirmation(
    preview: ChangePreview, check: DuplicateCheck, session: SessionDep, container: ContainerDep
) -> dict[str, Any]:
    """The confirmation step: consequences (from the dry run), duplicates, and, when the
    change withdraws the document check, the fields to record a document checked again."""
    sentences = consequences(preview) if preview.needs_confirmation else None
    documents = []
    if preview.validation_removed and session.actor.can(Permission.IDENTITY_VALIDATE):
        documents = validation_documents(
            uow=container.uow_factory(), actor=session.actor, rules=container.rules
        )
        sentences = [
            *(sentences or []),
            "Ce contrôle ne vaut plus pour des traits stricts modifiés : si vous venez de "
            "contrôler une pièce portant les traits saisis, enregistrez-la ci-dessous ; "
            "l'identité restera validée.",
        ]
    return {
        "confirm": sentences,
        "changes": trait_changes(preview),
        "check": check if check.found else None,
        "show_ins": session.actor.can(Permission.INS_READ),
        "documents": documents,
    }


# -- validation ---------------------------------------------------------------------------


def _validation_page(
    request: Request, identity: Identity, session: SessionDep, container: ContainerDep,
    status: int = 200, **extra: Any,
) -> Response:  # fmt: skip
    documents = validation_documents(
        uow=container.uow_factory(), actor=session.actor, rules=container.rules
    )
    context = {
        "title": "Valider l'identité",
        "identity": identity,
        "documents": documents,
        "values": {},
        "errors": {},
        **extra,
    }
    return render(request, "validate.html", context, status)


@router.get("/identites/{identity_id}/valider")
def validation_form(
    request: Request, identity_id: UUID, session: SessionDep, container: ContainerDep
) -> Response:
    identity = _load(identity_id, session, container)
    return _validation_page(request, identity, session, container)


@router.post("/identites/{identity_id}/valider")
def validate(
    request: Request,
    identity_id: UUID,
    session: SessionDep,
    container: ContainerDep,
    form: FormDep,
) -> Response:
    expiry_text = text(form, "document_expiry")
    try:
        expiry = date.fromisoformat(iso_date(expiry_text) or "") if expiry_text else None
    except ValueError:
        error = InvalidInput.single("document_expiry", "date_format", "Date attendue (JJ/MM/AAAA).")
        identity = _load(identity_id, session, container)
        return _validation_page(
            request, identity, session, container, 422, values=typed_values(form),
            errors=field_errors(error.errors),
        )  # fmt: skip
    try:
        service.validate_identity(
            identity_id, document_type=text(form, "document_type"), document_expiry=expiry,
            uow=container.uow_factory(), actor=session.actor, rules=container.rules,
        )  # fmt: skip
    except InvalidInput as error:
        identity = _load(identity_id, session, container)
        return _validation_page(
            request, identity, session, container, 422, values=typed_values(form),
            errors=field_errors(error.errors),
        )  # fmt: skip
    return RedirectResponse(f"/identites/{identity_id}?message=validee", status_code=303)


# -- attributes ---------------------------------------------------------------------------


def _attributes_page(
    request: Request, identity: Identity, status: int = 200, **extra: Any
) -> Response:
    context = {
        "title": "Attributs de l'identité",
        "identity": identity,
        "wanted": {a.value for a in identity.attributes},
        "confirm": None,
        "error": None,
        "reason": "",
        **extra,
    }
    return render(request, "attributes.html", context, status)


@router.get("/identites/{identity_id}/attributs")
def attributes_form(
    request: Request, identity_id: UUID, session: SessionDep, container: ContainerDep
) -> Response:
    session.actor.require(Permission.IDENTITY_ATTRIBUTES)
    return _attributes_page(request, _load(identity_id, session, container))


@router.post("/identites/{identity_id}/attributs")
def change_attributes(
    request: Request,
    identity_id: UUID,
    session: SessionDep,
    container: ContainerDep,
    form: FormDep,
) -> Response:
    identity = _load(identity_id, session, container)
    wanted = {a.value for a in IdentityAttribute if form.get(a.value) == "1"}
    current = {a.value for a in identity.attributes}
    add, remove = sorted(wanted - current), sorted(current - wanted)
    reason = text(form, "reason")
    kwargs: dict[str, Any] = {
        "add": add, "remove": remove, "actor": session.actor, "rules": container.rules,
    }  # fmt: skip
    try:
        preview = preview_attributes(identity_id, uow=container.uow_factory(), **kwargs)
        if not preview.changed:
            return RedirectResponse(f"/identites/{identity_id}?message=inchangee", 303)
        if form.get("confirmer") != "1":
            sentences = consequences(preview) or ["Le statut de l'identité ne change pas."]
            return _attributes_page(
                request, identity, wanted=wanted, reason=reason or "", confirm=sentences,
                add=add, remove=remove,
            )  # fmt: skip
        service.change_attributes(identity_id, reason=reason, uow=container.uow_factory(), **kwargs)
    except (InvalidTransition, InvalidInput) as error:
        return _attributes_page(
            request, identity, 409 if isinstance(error, InvalidTransition) else 422,
            wanted=wanted, reason=reason or "", error=error.message,
        )  # fmt: skip
    return RedirectResponse(f"/identites/{identity_id}?message=attributs", status_code=303)
