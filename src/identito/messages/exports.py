"""The renderers of every export format (what ``services.diffusion`` is given)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial

from identito.domain.diffusion import DiffusionView, ExportContext, ExportFormat
from identito.messages import cda, datamatrix, dicom, fhir, hl7v2, label, label_print


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
    ExportFormat.WRISTBAND_PDF: Renderer(
        label_print.PDF_MEDIA_TYPE, ".wristband.pdf", label_print.render_wristband
    ),
    ExportFormat.LABEL_SHEET_PDF: Renderer(
        label_print.PDF_MEDIA_TYPE, ".labels.pdf", label_print.render_sheet
    ),
}


def with_label_count(count: int) -> Mapping[ExportFormat, Renderer]:
    """The renderers, the sheet of labels holding ``count`` labels (checked)."""
    count = label_print.parse_count(count)
    sheet = partial(label_print.render_sheet, count=count)
    renderer = Renderer(label_print.PDF_MEDIA_TYPE, ".labels.pdf", sheet)
    return {**RENDERERS, ExportFormat.LABEL_SHEET_PDF: renderer}
