"""The printable label read back by independent parsers: PDFium renders it, zxing-cpp decodes.

ReportLab draws the DataMatrix as vector modules, so there is no image to extract:
the page is rasterised (pypdfium2) and the DataMatrix read from the pixels; the text
layer is read by PDFium too, not by the library that wrote it.
"""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image

from diffusion_cases import CONTEXT, view
from identito.messages import datamatrix, label

MATRICULE = "279035121518989"


def _read_back(pdf: bytes) -> tuple[str, Image.Image]:
    """The text layer and a 600 dpi rendering of the (single) page of ``pdf``."""
    document = pdfium.PdfDocument(pdf)
    try:
        assert len(document) == 1
        page = document[0]
        text = page.get_textpage().get_text_range()
        image = page.render(scale=600 / 72).to_pil().convert("L")
    finally:
        document.close()
    return text, image


def _datamatrices(image: Image.Image) -> list[bytes]:
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.DataMatrix)
    return [code.bytes for code in found]


@pytest.mark.parametrize("case", ["qual", "qual-test-oid", "nia", "corsica"])
def test_the_label_pdf_of_a_qualified_identity_decodes_to_the_exact_datamatrix_payload(
    case: str,
) -> None:
    text, image = _read_back(label.render_pdf(view(case), CONTEXT))
    assert _datamatrices(image) == [datamatrix.payload(view(case)).encode("latin-1")]
    assert "INS à scanner" in text
    assert view(case).ins.number.number in text.replace(" ", "")  # type: ignore[union-attr]


@pytest.mark.parametrize("case", ["prov", "recup", "vali-homonym", "exceptional-date"])
def test_a_label_pdf_without_diffusable_ins_has_no_datamatrix_and_no_matricule(case: str) -> None:
    text, image = _read_back(label.render_pdf(view(case), CONTEXT))
    assert _datamatrices(image) == []
    assert MATRICULE not in text.replace(" ", "")
    assert "INS à scanner" not in text
    assert view(case).traits.birth_name in text  # a traits-only label, still readable
