"""Labels as wards print them (issue 16 §5): a wristband and an A4 sheet of labels, PDF.

Both carry the same lines as the bloc marque (``label.lines``): strict traits, used
names, the IPP (the identity's own identifier, ``label.ipp``) and, only for a view
with a diffusable INS (qualified identity, R-DI-01), the matricule, its OID and the
INS DataMatrix beside them. Any other view states the status instead. Layouts
(documented in docs/diffusion.md):

* wristband: one 200 x 25 mm strip (a 1-inch thermal band), the strict traits on
  the left, used names, IPP and matricule in the middle, the DataMatrix (18 mm) at
  the right;
* sheet: A4 portrait, 3 columns x 8 rows of 70 x 37 mm labels (the common
  « 24 étiquettes » sheet), filled row by row from the top left; ``count`` labels
  of the same identity, 1 to ``SHEET_MAX`` (several sheets beyond 24).

Every text is shrunk to its width when it would overflow (a long name stays whole).
"""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from identito.domain.diffusion import DiffusionView, ExportContext
from identito.domain.errors import InvalidInput
from identito.messages import datamatrix
from identito.messages.label import PDF_MEDIA_TYPE, LabelLine, draw_datamatrix, lines

__all__ = ["PDF_MEDIA_TYPE", "SHEET_MAX", "parse_count", "render_sheet", "render_wristband"]

WRISTBAND = (200 * mm, 25 * mm)
WRISTBAND_SYMBOL = 18 * mm
SHEET_COLUMNS, SHEET_ROWS = 3, 8
SHEET_LABEL = (70 * mm, 37 * mm)
SHEET_PER_PAGE = SHEET_COLUMNS * SHEET_ROWS
SHEET_MAX = 4 * SHEET_PER_PAGE
SHEET_SYMBOL = 15 * mm
_SYMBOL_FORM = "insDataMatrix"
_FORM_TOP = SHEET_SYMBOL + 3 * mm  # the caption fits under the symbol, above 0
_STRICT_LINES = 6  # the first lines of ``label.lines``: the strict traits
_MIN_SIZE = 4.0  # points: below this, a line is printed at this size and clipped


def parse_count(raw: str | int | None, field: str = "count") -> int:
    """The number of labels of a sheet: an integer from 1 to ``SHEET_MAX``; none: one sheet."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return SHEET_PER_PAGE
    try:
        count = int(raw)
    except ValueError:
        count = 0
    if not 1 <= count <= SHEET_MAX:
        raise InvalidInput.single(
            field, "label_count", f"Nombre d'étiquettes attendu : de 1 à {SHEET_MAX}."
        )
    return count


def _split(view: DiffusionView) -> tuple[list[LabelLine], list[LabelLine]]:
    """The traits, then the identifiers (IPP, matricule and OID or status)."""
    found = lines(view)
    identifiers = {"IPP", "OID", "Statut"}
    ids = [line for line in found if line.label in identifiers or line.label.startswith("INS")]
    return [line for line in found if line not in ids], ids


def _text(canvas: Canvas, x: float, y: float, line: LabelLine, size: float, width: float) -> None:
    """``Label : value``, the value bold when it is; shrunk to fit ``width``."""
    caption = f"{line.label} : "
    bold = "Helvetica-Bold" if line.bold else "Helvetica"
    while size > _MIN_SIZE:
        used = canvas.stringWidth(caption, "Helvetica", size) + canvas.stringWidth(
            line.value, bold, size
        )
        if used <= width:
            break
        size -= 0.25
    canvas.setFont("Helvetica", size)
    canvas.drawString(x, y, caption)
    canvas.setFont(bold, size)
    canvas.drawString(x + canvas.stringWidth(caption, "Helvetica", size), y, line.value)


def _column(
    canvas: Canvas, x: float, top: float, found: Sequence[LabelLine], *, size: float,
    step: float, width: float,
) -> float:  # fmt: skip
    """Lines from ``top`` down; returns the baseline below the last one."""
    y = top
    for line in found:
        _text(canvas, x, y, line, size, width)
        y -= step
    return y


def render_wristband(
    view: DiffusionView, context: ExportContext, *, compress: bool = True
) -> bytes:
    """One wristband strip (200 x 25 mm)."""
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=WRISTBAND, invariant=True, pageCompression=int(compress))
    canvas.setTitle("Bracelet d'identification")
    traits, ids = _split(view)
    strict, used = traits[:_STRICT_LINES], traits[_STRICT_LINES:]  # used names: the middle
    top = WRISTBAND[1] - 4.5 * mm
    _column(canvas, 8 * mm, top, strict, size=7, step=2.8 * mm, width=82 * mm)
    _column(canvas, 92 * mm, top, [*used, *ids], size=7, step=3.2 * mm, width=72 * mm)
    if view.ins is not None:
        right = WRISTBAND[0] - 8 * mm
        draw_datamatrix(
            canvas, datamatrix.payload(view), right=right, top=WRISTBAND[1] - 1.5 * mm,
            box=WRISTBAND_SYMBOL, caption=5,
        )  # fmt: skip
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def render_sheet(
    view: DiffusionView, context: ExportContext, *, count: int = SHEET_PER_PAGE,
    compress: bool = True,
) -> bytes:  # fmt: skip
    """``count`` identical labels on A4 sheets of 3 x 8 labels of 70 x 37 mm."""
    count = parse_count(count)
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True, pageCompression=int(compress))
    canvas.setTitle(f"Planche de {count} étiquette{'s' if count > 1 else ''}")
    payload = datamatrix.payload(view) if view.ins is not None else None
    if payload is not None:  # drawn once, placed on every label (a PDF form XObject)
        canvas.beginForm(_SYMBOL_FORM, lowerx=-5 * mm, upperx=SHEET_SYMBOL + 5 * mm)
        draw_datamatrix(canvas, payload, right=SHEET_SYMBOL, top=_FORM_TOP, box=SHEET_SYMBOL,
                        caption=4.5)  # fmt: skip
        canvas.endForm()
    margin = (A4[1] - SHEET_ROWS * SHEET_LABEL[1]) / 2
    for index in range(count):
        place = index % SHEET_PER_PAGE
        if index and not place:
            canvas.showPage()
        row, col = divmod(place, SHEET_COLUMNS)
        left = col * SHEET_LABEL[0]
        top = A4[1] - margin - row * SHEET_LABEL[1]
        _sheet_label(canvas, view, payload is not None, left, top)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _sheet_label(
    canvas: Canvas, view: DiffusionView, with_symbol: bool, left: float, top: float
) -> None:
    """One 70 x 37 mm label whose top left corner is (``left``, ``top``)."""
    traits, ids = _split(view)
    beside = SHEET_LABEL[0] - 8 * mm - (SHEET_SYMBOL if with_symbol else 0)
    y = _column(canvas, left + 4 * mm, top - 4.5 * mm, traits, size=6, step=2.7 * mm,
                width=beside)  # fmt: skip
    full = SHEET_LABEL[0] - 8 * mm
    _column(canvas, left + 4 * mm, y - 0.5 * mm, ids, size=6, step=2.7 * mm, width=full)
    if with_symbol:
        canvas.saveState()
        canvas.translate(left + SHEET_LABEL[0] - 3 * mm - SHEET_SYMBOL, top - 3 * mm - _FORM_TOP)
        canvas.doForm(_SYMBOL_FORM)
        canvas.restoreState()
