"""The INS DataMatrix (public vectors byte for byte, zxing-cpp round trip, scanning) and labels."""

from __future__ import annotations

import base64
import json
import re
from io import BytesIO

import pytest
import zxingcpp
from PIL import Image

from diffusion_cases import CONTEXT, GOLDEN, REFERENCE_DIR, view
from identito.domain.diffusion import NotDiffusable
from identito.domain.errors import InvalidInput
from identito.messages import datamatrix, label

VECTORS = json.loads(
    (REFERENCE_DIR / "datamatrix" / "ins-datamatrix-test-vectors.json").read_text(encoding="utf-8")
)["vectors"]
COMPLETE = [v for v in VECTORS if "payload" in v]


def _fields_of(payload: str) -> dict[str, str]:
    return {tag: value.rstrip(datamatrix.GS) for tag, value in
            re.findall(r"(S[1-7])([^S]*(?:S(?![1-7])[^S]*)*)", payload[26:])}  # fmt: skip


@pytest.mark.parametrize("vector", COMPLETE, ids=lambda v: v["source"][:30])
def test_the_public_vectors_are_produced_byte_for_byte(vector: dict[str, str]) -> None:
    payload = vector["payload"]
    assert datamatrix.encode_fields(_fields_of(payload)).encode() == payload.encode()


def test_the_ans_test_patient_vector_comes_from_a_qualified_identity() -> None:
    constructed = next(v for v in COMPLETE if v["source"].startswith("CONSTRUCTED"))
    assert datamatrix.payload(view("qual-test-oid")) == constructed["payload"]
    assert len(constructed["payload"]) == constructed["length_chars"]


def test_a_production_oid_of_19_characters_is_followed_by_gs() -> None:
    assert "S21.2.250.1.213.1.4.8\x1dS3" in datamatrix.payload(view("qual"))


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v["source"][:30])
def test_every_vector_is_parsed_whatever_the_order_or_separator(vector: dict[str, str]) -> None:
    text = vector.get("payload") or vector.get("payload_as_stored") or ""
    if not vector.get("complete", True):
        text = vector["payload_bwipp_notation"].replace("^029", "\x1d").split("S4MICH")[0]
        with pytest.raises(InvalidInput):
            datamatrix.parse_payload(text)
        return
    scanned = datamatrix.parse_payload(text)
    assert len(scanned.ins_number) == 15 and scanned.sex in ("M", "F")
    assert scanned.birth_name and scanned.birth_first_names


def test_the_zxing_vector_with_s4_last_and_blank_separators_reads_right() -> None:
    stored = next(v for v in VECTORS if "payload_as_stored" in v)["payload_as_stored"]
    scanned = datamatrix.parse_payload(stored)
    assert (scanned.birth_name, scanned.birth_first_names) == (
        "LASTNAMETEST",
        ("FIRST", "NAMETEST"),
    )
    assert (scanned.birth_date, scanned.birth_place_code) == ("1985-06-18", "13201")


@pytest.mark.parametrize("spelling", ["\x1d", "<GS>", "^029", "", "\u241d"])
def test_scanner_text_reads_with_any_gs_spelling_or_none(spelling: str) -> None:
    text = datamatrix.payload(view("qual")).replace("\x1d", spelling)
    scanned = datamatrix.parse_payload(text)
    assert (scanned.ins_number, scanned.oid) == ("279035121518989", "1.2.250.1.213.1.4.8")
    assert scanned.birth_first_names == ("DOMINIQUE", "MARIE-LOUISE")
    assert (scanned.birth_date, scanned.sex, scanned.birth_place_code) == (
        "1979-03-28",
        "F",
        "51215",
    )


def test_a_code_that_is_not_an_ins_datamatrix_is_refused() -> None:
    with pytest.raises(InvalidInput):
        datamatrix.parse_payload("DC04FR000001")


@pytest.mark.parametrize("case", ["qual", "nia", "corsica", "qual-test-oid"])
def test_the_png_golden_decodes_back_to_the_payload_with_zxing(case: str) -> None:
    image = Image.open(BytesIO((GOLDEN / f"{case}.datamatrix.png").read_bytes()))
    (found,) = zxingcpp.read_barcodes(image)
    assert found.format == zxingcpp.BarcodeFormat.DataMatrix
    assert found.bytes.decode() == datamatrix.payload(view(case))
    assert (
        datamatrix.decode_image((GOLDEN / f"{case}.datamatrix.png").read_bytes())
        == found.bytes.decode()
    )


def test_the_svg_is_well_formed_svg() -> None:
    from lxml import etree

    root = etree.fromstring((GOLDEN / "qual.datamatrix.svg").read_bytes())
    assert etree.QName(root).localname == "svg"


@pytest.mark.parametrize("case", ["vali-homonym", "recup", "prov", "exceptional-date"])
def test_no_datamatrix_without_a_diffusable_ins(case: str) -> None:
    with pytest.raises(NotDiffusable):
        datamatrix.payload(view(case))


def test_an_uploaded_file_that_is_no_image_is_refused() -> None:
    with pytest.raises(InvalidInput):
        datamatrix.decode_image(b"not an image")


def test_the_html_label_of_a_qualified_identity_has_the_matricule_and_a_scannable_datamatrix() -> (
    None
):
    html = label.render_html(view("qual"), CONTEXT).decode()
    assert "INS (NIR)" in html and "279035121518989" in html and "INS à scanner" in html
    encoded = re.search(r'src="data:image/png;base64,([^"]+)"', html)
    assert encoded is not None
    (found,) = zxingcpp.read_barcodes(Image.open(BytesIO(base64.b64decode(encoded.group(1)))))
    assert found.bytes.decode() == datamatrix.payload(view("qual"))
    assert "INS (NIA)" in label.render_html(view("nia"), CONTEXT).decode()


def test_a_label_without_diffusable_ins_shows_traits_and_status_only() -> None:
    html = label.render_html(view("recup"), CONTEXT).decode()
    assert "279035121518989" not in html and "data:image/png" not in html
    assert "Identité récupérée" in html


def test_the_pdf_label_carries_the_matricule_only_for_a_qualified_identity() -> None:
    qualified = label.render_pdf(view("qual"), CONTEXT, compress=False)
    assert qualified.startswith(b"%PDF") and b"279035121518989" in qualified
    assert "INS à scanner".encode("latin-1") in qualified or b"INS \\340 scanner" in qualified
    other = label.render_pdf(view("vali-homonym"), CONTEXT, compress=False)
    assert b"279035121518989" not in other and b"PAT-TROIS" in other
