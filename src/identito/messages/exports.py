"""The renderers of every export format (what ``services.diffusion`` is given)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from identito.domain.diffusion import DiffusionView, ExportContext, ExportFormat
from identito.messages import cda, datamatrix, dicom, fhir, hl7v2, label


@dataclass(frozen=True)
class Renderer:
    media_type: str
    suffix: str
    render: Callable[[DiffusionView, ExportContext], bytes]


RENDERERS: Mapping[ExportFormat, Renderer] = {
    ExportFormat.FHIR: Renderer(fhir.FHIR_JSON, ".fhir.json", fhir.render_patient),
    ExportFormat.HL7V2: Renderer(hl7v2.HL7_MEDIA_TYPE, ".hl7", hl7v2.render_person),
    ExportFormat.CDA: Renderer(cda.CDA_MEDIA_TYPE, ".cda.xml", cda.render_record_target),
    ExportFormat.DICOM: Renderer(dicom.DICOM_MEDIA_TYPE, ".dcm", dicom.render_dataset),
    ExportFormat.DATAMATRIX_PNG: Renderer(
        datamatrix.PNG_MEDIA_TYPE, ".datamatrix.png", datamatrix.render_png
    ),
    ExportFormat.DATAMATRIX_SVG: Renderer(
        datamatrix.SVG_MEDIA_TYPE, ".datamatrix.svg", datamatrix.render_svg
    ),
    ExportFormat.LABEL_PDF: Renderer(label.PDF_MEDIA_TYPE, ".label.pdf", label.render_pdf),
    ExportFormat.LABEL_HTML: Renderer(label.HTML_MEDIA_TYPE, ".label.html", label.render_html),
}
