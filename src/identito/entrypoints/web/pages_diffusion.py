"""Printing and exports from the identity sheet; DataMatrix scan on the search page."""

from __future__ import annotations

from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from identito.domain.diffusion import ExportFormat
from identito.domain.errors import InvalidInput
from identito.entrypoints.api.deps import ContainerDep
from identito.entrypoints.web.deps import SessionDep
from identito.entrypoints.web.rendering import field_errors, render
from identito.messages import datamatrix
from identito.messages.exports import RENDERERS
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


@router.get("/recherche/datamatrix")
def scan(request: Request, session: SessionDep, container: ContainerDep) -> Response:
    """The text typed by a 2D scanner prefills the search by traits (method CB)."""
    text = request.query_params.get("datamatrix", "")
    try:
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
            "values": {"datamatrix": text},
            "errors": field_errors(error.errors),
            "results": None,
            "searched": "",
        }
        return render(request, "search.html", context, 422)
    query = {"mode": "traits", **prefill.search, "methode": prefill.collection_method.value}
    return RedirectResponse(f"/recherche?{urlencode(query)}", status_code=303)
