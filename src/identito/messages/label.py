"""The printable label (bloc marque): HTML and PDF (ReportLab), in French.

A view with a diffusable INS (qualified identity) shows the strict traits, the
used name and first name, the matricule with its nature (NIR/NIA) and OID, and
the INS DataMatrix captioned « INS à scanner » (R-DI-04, R-DI-06). Any other view
gives a traits-only label stating the status, with no matricule and no DataMatrix.
The exact ANS cartouche layout is not public: this one is documented in
docs/diffusion.md. Birth name and first birth first name are bold (ANS CDA rule).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from html import escape
from io import BytesIO

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from identito.domain.diffusion import DiffusionView, ExportContext
from identito.messages import datamatrix
from identito.messages.common import INS_KIND_LABEL

PAGE = (90 * mm, 50 * mm)
VALUE_X = 24 * mm  # right of the widest caption (« Nom de naissance : », 20.3 mm at 6.5 pt)
SYMBOL_BOX = 22 * mm  # the DataMatrix fits in this square, a rectangular one by its width
HTML_MEDIA_TYPE = "text/html; charset=utf-8"
PDF_MEDIA_TYPE = "application/pdf"


#: The label's stylesheet: a file of the web application, so that the page obeys the
#: application's Content-Security-Policy (``style-src 'self'``, no inline style).
STYLESHEET = "/static/label.css"


@dataclass(frozen=True)
class LabelLine:
    label: str
    value: str
    bold: bool = False


def lines(view: DiffusionView) -> list[LabelLine]:
    """The label's content, shared by HTML and PDF."""
    t = view.traits
    corrected = " (date corrigée)" if view.birth_date_uncertain else ""
    found = [
        LabelLine("Nom de naissance", t.birth_name, bold=True),
        LabelLine("1er prénom", t.first_birth_first_name, bold=True),
        LabelLine("Prénoms", " ".join(t.birth_first_names) or t.first_birth_first_name),
        LabelLine("Né(e) le", f"{view.birth_date:%d/%m/%Y}{corrected}"),
        LabelLine("Sexe", t.sex.label),
        LabelLine("Lieu (INSEE)", t.birth_place_code),
    ]
    if t.used_name:
        found.append(LabelLine("Nom utilisé", t.used_name))
    if t.used_first_name:
        found.append(LabelLine("Prénom utilisé", t.used_first_name))
    if view.ins is not None:
        nature = INS_KIND_LABEL[view.ins.kind]
        found.append(LabelLine(f"INS ({nature})", view.ins.number.number, bold=True))
        found.append(LabelLine("OID", view.ins.oid.value))
    else:
        found.append(LabelLine("Statut", view.status.label))
    found.append(LabelLine("IPP", ipp(view)))
    return found


def ipp(view: DiffusionView) -> str:
    """The patient's identifier in this facility: identito keeps no separate IPP, so it
    is the identity's own identifier, as HL7 v2 PID-3 (``PI``) and FHIR carry it."""
    return str(view.identity_id)


def render_html(view: DiffusionView, context: ExportContext) -> bytes:
    rows = "".join(
        f"<tr><th>{escape(line.label)}</th><td>{'<b>' if line.bold else ''}"
        f"{escape(line.value)}{'</b>' if line.bold else ''}</td></tr>"
        for line in lines(view)
    )
    code = ""
    if view.ins is not None:
        image = base64.b64encode(datamatrix.png(datamatrix.payload(view), scale=3)).decode()
        code = (
            f'<figure class="datamatrix"><img alt="DataMatrix INS" '
            f'src="data:image/png;base64,{image}"><figcaption>{datamatrix.CAPTION}'
            "</figcaption></figure>"
        )
    title = "Bloc marque INS" if view.ins is not None else "Étiquette (sans INS diffusable)"
    page = (
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">'
        f'<title>{title}</title><link rel="stylesheet" href="{STYLESHEET}"></head>'
        f'<body><main class="label"><h1>{title}</h1><table>{rows}</table>{code}</main>'
        "</body></html>\n"
    )
    return page.encode("utf-8")


def render_pdf(view: DiffusionView, context: ExportContext, *, compress: bool = True) -> bytes:
    """One label per page, reproducible bytes (ReportLab ``invariant``)."""
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=PAGE, invariant=True, pageCompression=int(compress))
    canvas.setTitle("Bloc marque INS" if view.ins is not None else "Étiquette patient")
    y = PAGE[1] - 6 * mm
    for line in lines(view):
        canvas.setFont("Helvetica", 6.5)
        canvas.drawString(3 * mm, y, f"{line.label} :")
        canvas.setFont("Helvetica-Bold" if line.bold else "Helvetica", 7.5)
        canvas.drawString(VALUE_X, y, line.value)
        y -= 4 * mm
    if view.ins is not None:
        right, top = PAGE[0] - 4 * mm, PAGE[1] - 5 * mm
        draw_datamatrix(canvas, datamatrix.payload(view), right=right, top=top, box=SYMBOL_BOX)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def draw_datamatrix(
    canvas: Canvas, text: str, *, right: float, top: float, box: float, caption: float = 6
) -> None:
    """The symbol inside a ``box`` square whose top right corner is (``right``, ``top``),
    captioned « INS à scanner » below it (``caption`` points)."""
    grid = datamatrix.modules(text)
    rows, cols = len(grid), len(grid[0])
    module = box / max(rows, cols)
    width, height = cols * module, rows * module
    left = right - width
    canvas.setFillGray(0)
    for row, cells in enumerate(grid):
        for col, dark in enumerate(cells):
            if dark:
                y = top - (row + 1) * module
                canvas.rect(left + col * module, y, module, module, stroke=0, fill=1)
    canvas.setFont("Helvetica", caption)
    canvas.drawCentredString(
        left + width / 2, top - height - caption * 0.5 * mm, datamatrix.CAPTION
    )
