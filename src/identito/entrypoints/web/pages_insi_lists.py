"""INSi worklists (saved query or CSV of ids, progress, resume) and creating an
identity directly from a card or traits recovery."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from identito.bootstrap import Container
from identito.domain.errors import InvalidInput
from identito.domain.permissions import Actor, Permission
from identito.domain.trait_set import MANDATORY_FIELDS
from identito.entrypoints.api.deps import ContainerDep
from identito.entrypoints.web.deps import FormDep, SessionDep
from identito.entrypoints.web.forms import text, traits_from, typed_values
from identito.entrypoints.web.insi_view import card_from, form_errors, ids_from_csv
from identito.entrypoints.web.pages_insi import teleservice_of
from identito.entrypoints.web.rendering import is_htmx, render
from identito.services.insi import create_identity_from_insi
from identito.services.insi_worklist import QUERIES, open_worklist, run_worklist, worklist_progress
from identito.services.insi_worklist_export import export_insi_worklist

router = APIRouter(include_in_schema=False)

CREATION_FIELDS = ("birth_name", "birth_first_names", "first_birth_first_name", "birth_date",
                   "sex", "birth_place_code")  # fmt: skip


# -- worklists ------------------------------------------------------------------------------


def _lists_page(
    request: Request, status: int = 200, errors: dict[str, list[str]] | None = None
) -> Response:
    context = {"title": "Liste de travail INSi", "queries": QUERIES, "errors": errors or {}}
    return render(request, "insi_worklists.html", context, status)


@router.get("/insi/listes")
def lists_page(request: Request, session: SessionDep) -> Response:
    session.actor.require(Permission.INSI_CALL)
    return _lists_page(request)


@router.post("/insi/listes")
async def create_list(
    request: Request, session: SessionDep, container: ContainerDep, form: FormDep
) -> Response:
    session.actor.require(Permission.INSI_CALL)
    kwargs: dict[str, Any] = {
        "label": text(form, "label"), "uow": container.uow_factory(), "actor": session.actor,
        "rules": container.rules,
    }  # fmt: skip
    try:
        if text(form, "source") == "csv":
            upload = form.get("file")
            if not isinstance(upload, UploadFile) or not upload.filename:
                message = "Choisissez un fichier CSV d'identifiants (colonne id)."
                raise InvalidInput.single("file", "required", message)
            try:
                content = await upload.read()
            finally:
                await upload.close()
            worklist, resumed = open_worklist(identity_ids=ids_from_csv(content), **kwargs)
        else:
            worklist, resumed = open_worklist(query=text(form, "query"), **kwargs)
    except InvalidInput as error:
        return _lists_page(request, 422, form_errors(error.errors))
    suffix = "?reprise=1" if resumed else ""
    return RedirectResponse(f"/insi/listes/{worklist.id}{suffix}", 303)


def _progress_context(worklist_id: UUID, session: SessionDep, container: Container) -> Any:
    progress = worklist_progress(
        worklist_id, uow=container.uow_factory(), actor=session.actor, rules=container.rules,
        with_items=True,
    )  # fmt: skip
    return {"progress": progress, "worklist": progress.worklist}


@router.get("/insi/listes/{worklist_id}")
def list_page(
    request: Request, worklist_id: UUID, session: SessionDep, container: ContainerDep
) -> Response:
    context = {
        "title": "Liste de travail INSi",
        "resumed": request.query_params.get("reprise") == "1",
        "running": request.query_params.get("lancee") == "1",
        **_progress_context(worklist_id, session, container),
    }
    template = "_insi_progress.html" if is_htmx(request) else "insi_worklist.html"
    return render(request, template, context)


@router.get("/insi/listes/{worklist_id}/export.csv")
def export_list(
    request: Request, worklist_id: UUID, session: SessionDep, container: ContainerDep
) -> Response:
    """The items of a worklist (or only those to decide) as CSV (audited)."""
    only = request.query_params.get("a_decider") == "1"
    text, _ = export_insi_worklist(worklist_id, only_to_decide=only, uow=container.uow_factory(),
                                   actor=session.actor, rules=container.rules)  # fmt: skip
    name = f"liste-insi-{worklist_id}{'-a-decider' if only else ''}.csv"
    return Response(
        text.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/insi/listes/{worklist_id}/lancer")
def run_list(
    worklist_id: UUID,
    session: SessionDep,
    container: ContainerDep,
    form: FormDep,
    tasks: BackgroundTasks,
) -> Response:
    progress = worklist_progress(
        worklist_id, uow=container.uow_factory(), actor=session.actor, rules=container.rules
    )
    if not progress.finished:
        tasks.add_task(_run, container, worklist_id, session.actor)
    return RedirectResponse(f"/insi/listes/{worklist_id}?lancee=1", 303)


def _run(container: Container, worklist_id: UUID, actor: Actor) -> None:
    run_worklist(
        worklist_id, uow=container.uow_factory(), actor=actor, rules=container.rules,
        teleservice=teleservice_of(container),
    )  # fmt: skip


# -- creating an identity from INSi ------------------------------------------------------------


def _creation_page(request: Request, status: int = 200, **extra: Any) -> Response:
    context = {
        "title": "Créer une identité à partir d'INSi",
        "mandatory": MANDATORY_FIELDS,
        "values": {},
        "errors": {},
        "mode": "traits",
        "result": None,
        **extra,
    }
    return render(request, "insi_create.html", context, status)


@router.get("/insi/creation")
def creation_form(request: Request, session: SessionDep) -> Response:
    session.actor.require(Permission.IDENTITY_CREATE)
    session.actor.require(Permission.INSI_CALL)
    return _creation_page(request)


@router.post("/insi/creation")
def create_from_insi(
    request: Request, session: SessionDep, container: ContainerDep, form: FormDep
) -> Response:
    mode = "card" if text(form, "mode") == "card" else "traits"
    values = typed_values(form)
    try:
        result = create_identity_from_insi(
            mode=mode,
            card=card_from(form) if mode == "card" else None,
            traits=traits_from(form, CREATION_FIELDS) if mode == "traits" else None,
            uow=container.uow_factory(),
            actor=session.actor,
            rules=container.rules,
            teleservice=teleservice_of(container),
        )
    except InvalidInput as error:
        errors = form_errors(error.errors)
        return _creation_page(request, 422, values=values, errors=errors, mode=mode)
    if result.identity is not None:
        return RedirectResponse(f"/identites/{result.identity.id}?message=insi_creee", 303)
    return _creation_page(request, values=values, mode=mode, result=result)
