"""Exports of one identity and DataMatrix scans: parse, call the use case, answer."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel

from identito.domain.diffusion import ExportFormat
from identito.domain.errors import InvalidInput
from identito.domain.permissions import Permission
from identito.entrypoints.api.deps import ActorDep, RulesDep, UowDep, requires
from identito.entrypoints.api.errors import problem_responses
from identito.messages import datamatrix
from identito.messages.exports import RENDERERS, with_label_count
from identito.messages.label_print import SHEET_MAX
from identito.services import diffusion as service

router = APIRouter(tags=["diffusion"])
FORMATS = "|".join(f.value for f in ExportFormat)


@router.get(
    "/identities/{identity_id}/exports/{fmt}",
    responses={
        200: {"description": "Le document (FHIR, HL7 v2, CDA, DICOM, DataMatrix, étiquette)"},
        **problem_responses(401, 403, 404, 409, 422),
    },
    summary="Exporter une identité (matricule INS seulement si qualifiée)",
)
def export_identity(
    identity_id: UUID,
    fmt: Annotated[str, Path(description=FORMATS)],
    actor: ActorDep,
    uow: UowDep,
    rules: RulesDep,
    count: Annotated[
        int | None,
        Query(ge=1, le=SHEET_MAX, description="labels.pdf : nombre d'étiquettes (24 par planche)"),
    ] = None,
) -> Response:
    export = service.export_identity(
        identity_id,
        ExportFormat.parse(fmt),
        uow=uow,
        actor=actor,
        rules=rules,
        renderers=RENDERERS if count is None else with_label_count(count),
        destination="api",
    )
    disposition = "inline" if fmt.endswith((".svg", ".png", ".html")) else "attachment"
    headers = {"Content-Disposition": f'{disposition}; filename="{export.filename}"'}
    return Response(export.content, media_type=export.media_type, headers=headers)


class ScanText(BaseModel):
    text: str


class ScanResult(BaseModel):
    collection_method: str
    ins: dict[str, str]
    traits: dict[str, Any]
    search: dict[str, str]
    matches: list[str]
    problems: list[str]


async def _scanned_text(request: Request) -> str:
    """The DataMatrix text: JSON ``{"text": ...}``, ``text/plain``, or an image upload."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if content_type == "application/json":
        return ScanText.model_validate_json(body or b"{}").text
    if content_type.startswith("image/"):
        return datamatrix.decode_image(body)
    if content_type == "multipart/form-data":
        form = await request.form()
        upload = form.get("image")
        if upload is not None and not isinstance(upload, str):
            return datamatrix.decode_image(await upload.read())
        text = form.get("text")
        return text if isinstance(text, str) else ""
    return body.decode("utf-8", errors="replace")


@router.post(
    "/datamatrix/decode",
    dependencies=[requires(Permission.IDENTITY_SEARCH)],
    response_model=ScanResult,
    responses=problem_responses(401, 403, 422),
    summary="Lire un DataMatrix INS (texte du lecteur 2D ou image) et préremplir",
)
async def decode_datamatrix(
    request: Request, actor: ActorDep, uow: UowDep, rules: RulesDep
) -> ScanResult:
    text = await _scanned_text(request)
    if not text.strip():
        raise InvalidInput.single("datamatrix", "required", "Texte ou image du DataMatrix requis.")
    prefill = service.prefill_from_datamatrix(
        datamatrix.parse_payload(text), uow=uow, actor=actor, rules=rules
    )
    scanned = prefill.scanned
    return ScanResult(
        collection_method=prefill.collection_method.value,
        ins={"number": scanned.ins_number, "oid": scanned.oid},
        traits=prefill.traits,
        search=prefill.search,
        matches=[str(i.id) for i in prefill.matches],
        problems=list(prefill.problems),
    )
