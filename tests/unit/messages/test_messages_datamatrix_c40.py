"""The INS DataMatrix header is C40-encoded, and the symbol still reads back exactly."""

from __future__ import annotations

from io import BytesIO

import zxingcpp
from PIL import Image

from identito.messages import datamatrix

PAYLOAD = datamatrix.HEADER + (
    "S1123549685274612S22597845632548156952\x1dS3A\x1dS4B\x1dS5MS631-08-2021S799255"
)


def test_the_header_is_encoded_in_c40_then_the_fields_in_ascii_mode() -> None:
    words = datamatrix.codewords(PAYLOAD)
    assert words[0] == datamatrix.C40_LATCH
    # 24 header characters packed three per two codewords, then the unlatch (254)
    assert words[17] == 254
    # the last two header characters "00" as one ASCII digit pair (130 + 0)
    assert words[18] == 130
    assert words[19:] == PAYLOAD[len(datamatrix.HEADER) :].encode("datamatrix.ascii")


def test_the_c40_symbol_decodes_back_to_the_exact_payload() -> None:
    image = Image.open(BytesIO(datamatrix.png(PAYLOAD))).convert("L")
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.DataMatrix)
    assert found[0].bytes == PAYLOAD.encode("ascii")
