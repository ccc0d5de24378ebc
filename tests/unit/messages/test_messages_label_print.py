"""Labels as wards print them (issue 16 §5), read back by PDFium and zxing-cpp: the
wristband and the A4 sheet carry the IPP, and the matricule with its DataMatrix only
for a qualified identity."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image

from diffusion_cases import CONTEXT, view
from identito.domain.errors import InvalidInput
from identito.messages import datamatrix, label, label_print

MATRICULE = "279035121518989"
QUALIFIED = ["qual", "nia", "corsica"]
NOT_DIFFUSABLE = ["recup", "prov", "vali-homonym", "exceptional-date"]


def _pages(pdf: bytes, dpi: int = 400) -> list[tuple[str, Image.Image, tuple[float, float]]]:
    """Text, rendering and size in mm of each page."""
    document = pdfium.PdfDocument(pdf)
    try:
        found = []
        for page in document:
            text = page.get_textpage().get_text_range()
            image = page.render(scale=dpi / 72).to_pil().convert("L")
            width, height = page.get_size()
            found.append((text, image, (round(width / 72 * 25.4), round(height / 72 * 25.4))))
    finally:
        document.close()
    return found


def _datamatrices(image: Image.Image) -> list[bytes]:
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.DataMatrix)
    return [code.bytes for code in found]


@pytest.mark.parametrize("case", QUALIFIED)
def test_the_wristband_of_a_qualified_identity_has_ipp_matricule_and_a_scannable_datamatrix(
    case: str,
) -> None:
    [(text, image, size)] = _pages(label_print.render_wristband(view(case), CONTEXT))
    assert size == (200, 25)
    assert label.ipp(view(case)) in text and view(case).traits.birth_name in text
    assert view(case).ins is not None and view(case).ins.number.number in text  # type: ignore[union-attr]
    assert _datamatrices(image) == [datamatrix.payload(view(case)).encode()]


@pytest.mark.parametrize("case", NOT_DIFFUSABLE)
def test_a_wristband_without_diffusable_ins_has_the_ipp_and_status_but_no_matricule(
    case: str,
) -> None:
    [(text, image, _)] = _pages(label_print.render_wristband(view(case), CONTEXT))
    assert MATRICULE not in text and "INS (" not in text
    assert label.ipp(view(case)) in text and view(case).status.label in text
    assert _datamatrices(image) == []


@pytest.mark.parametrize(("count", "pages"), [(1, 1), (24, 1), (25, 2), (label_print.SHEET_MAX, 4)])
def test_the_sheet_holds_the_chosen_number_of_labels_24_per_a4_page(count: int, pages: int) -> None:
    found = _pages(label_print.render_sheet(view("prov"), CONTEXT, count=count), dpi=72)
    assert len(found) == pages
    assert {size for _, _, size in found} == {(210, 297)}
    assert sum(text.count("IPP :") for text, _, _ in found) == count


def test_every_label_of_a_qualified_sheet_has_its_own_scannable_datamatrix() -> None:
    [(text, image, _)] = _pages(label_print.render_sheet(view("qual"), CONTEXT, count=3))
    assert text.count(MATRICULE) == 3 and text.count(label.ipp(view("qual"))) == 3
    assert _datamatrices(image) == [datamatrix.payload(view("qual")).encode()] * 3


@pytest.mark.parametrize("case", NOT_DIFFUSABLE)
def test_a_sheet_without_diffusable_ins_has_no_matricule_and_no_datamatrix(case: str) -> None:
    [(text, image, _)] = _pages(label_print.render_sheet(view(case), CONTEXT, count=2))
    assert MATRICULE not in text and _datamatrices(image) == []
    assert text.count(view(case).status.label) == 2


@pytest.mark.parametrize("raw", [0, -1, label_print.SHEET_MAX + 1, "douze", "1.5"])
def test_a_number_of_labels_outside_1_to_the_maximum_is_refused(raw: int | str) -> None:
    with pytest.raises(InvalidInput) as refused:
        label_print.parse_count(raw, "nombre")
    assert [(e.field, e.rule) for e in refused.value.errors] == [("nombre", "label_count")]


@pytest.mark.parametrize(("raw", "count"), [(None, 24), ("", 24), (" 7 ", 7), (96, 96)])
def test_a_number_of_labels_defaults_to_one_full_sheet(raw: str | int | None, count: int) -> None:
    assert label_print.parse_count(raw) == count


def test_the_ipp_is_the_identity_own_identifier_on_every_label() -> None:
    assert label.ipp(view("qual")) == str(view("qual").identity_id)
    html = label.render_html(view("recup"), CONTEXT).decode()
    assert f"<th>IPP</th><td>{view('recup').identity_id}</td>" in html


def test_the_html_label_links_the_application_stylesheet_and_has_no_inline_style() -> None:
    html = label.render_html(view("qual"), CONTEXT).decode()
    assert f'<link rel="stylesheet" href="{label.STYLESHEET}">' in html
    assert "<style" not in html and "style=" not in html
