"""Printing and exports from the identity sheet; DataMatrix scan on the search page."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from identito.domain.diffusion import ExportFormat
from identito.domain.errors import InvalidInput
from identito.entrypoints.api.deps import ContainerDep
from identito.entrypoints.web.deps import FormDep, SessionDep
from identito.entrypoints.web.rendering import field_errors, render
from identito.messages import datamatrix
from identito.messages.exports import RENDERERS, with_label_count
from identito.messages.label_print import parse_count
from identito.services import diffusion as service

router = APIRouter(include_in_schema=False)


@router.get("/identites/{identity_id}/exports/{fmt}")
def export(identity_id: UUID, fmt: str, session: SessionDep, container: ContainerDep) -> Response:
    result = service.export_identity(
        identity_id,
        ExportFormat.parse(fmt),
        uow=container.uow_factory(),
        actor=session.actor,
        rules=container.rules,
        renderers=RENDERERS,
        destination="web",
    )
    disposition = "inline" if fmt.endswith((".pdf", ".html", ".svg", ".png")) else "attachment"
    headers = {"Content-Disposition": f'{disposition}; filename="{result.filename}"'}
    return Response(result.content, media_type=result.media_type, headers=headers)


#: The print models offered on the identity sheet: ``modele`` -> export format.
PRINT_MODELS = {
    "etiquette": ExportFormat.LABEL_PDF,
    "bracelet": ExportFormat.WRISTBAND_PDF,
    "planche": ExportFormat.LABEL_SHEET_PDF,
}


@router.get("/identites/{identity_id}/imprimer")
def print_labels(
    request: Request, identity_id: UUID, session: SessionDep, container: ContainerDep
) -> Response:
    """The label, the wristband or an A4 sheet of ``nombre`` labels, as a PDF to print."""
    model = request.query_params.get("modele", "etiquette")
    fmt = PRINT_MODELS.get(model)
    if fmt is None:
        known = ", ".join(PRINT_MODELS)
        raise InvalidInput.single("modele", "print_model", f"Modèle inconnu ; modèles : {known}.")
    renderers = with_label_count(parse_count(request.query_params.get("nombre"), "nombre"))
    result = service.export_identity(
        identity_id, fmt, uow=container.uow_factory(), actor=session.actor,
        rules=container.rules, renderers=renderers, destination="web",
    )  # fmt: skip
    headers = {"Content-Disposition": f'inline; filename="{result.filename}"'}
    return Response(result.content, media_type=result.media_type, headers=headers)


@router.get("/recherche/datamatrix")
def scan(request: Request, session: SessionDep, container: ContainerDep) -> Response:
    """The text typed by a 2D scanner prefills the search by traits (method CB)."""
    text = request.query_params.get("datamatrix", "")
    return _prefilled_search(request, session, container, lambda: text, text)


@router.post("/recherche/datamatrix")
async def scan_image(
    request: Request, session: SessionDep, container: ContainerDep, form: FormDep
) -> Response:
    """An uploaded photo or image of the DataMatrix prefills the search (method CB)."""
    upload, data = form.get("image"), b""
    if upload is not None and not isinstance(upload, str):
        data = await upload.read()
        await upload.close()
    return _prefilled_search(request, session, container, lambda: _decoded(data), "")


def _decoded(data: bytes) -> str:
    if not data:
        raise InvalidInput.single("datamatrix", "required", "Choisissez l'image du DataMatrix INS.")
    return datamatrix.decode_image(data)


def _prefilled_search(
    request: Request,
    session: SessionDep,
    container: ContainerDep,
    read: Callable[[], str],
    typed: str,
) -> Response:
    """Redirect to the search by traits, carrying what a creation from the scan needs.

    The search page then offers « Créer l'identité » with the scanned traits
    prefilled and the collection method ``CB``; the scanned matricule is not carried
    (read from paper, it is only trusted once INSi confirms it).
    """
    try:
        text = read()
        if not text.strip():
            raise InvalidInput.single("datamatrix", "required", "Scannez le DataMatrix INS.")
        prefill = service.prefill_from_datamatrix(
            datamatrix.parse_payload(text),
            uow=container.uow_factory(),
            actor=session.actor,
            rules=container.rules,
        )
    except InvalidInput as error:
        context = {
            "title": "Recherche d'antériorité",
            "mode": "datamatrix",
            "values": {"datamatrix": typed},
            "errors": field_errors(error.errors),
            "results": None,
            "searched": "",
        }
        return render(request, "search.html", context, 422)
    scanned = prefill.scanned
    query = {
        "mode": "traits",
        **prefill.search,
        "methode": prefill.collection_method.value,
        "prenoms": " ".join(scanned.birth_first_names),
        "lieu": scanned.birth_place_code or "",
    }
    return RedirectResponse(f"/recherche?{urlencode(query)}", status_code=303)
