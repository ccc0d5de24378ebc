"""The INS DataMatrix: payload (pure), rendering (zxing-cpp) and scanning.

Payload (reconstructed ANS *Format datamatrix INS* v2.2, ENCODINGS.md §7 and
``datamatrix/ins-datamatrix-test-vectors.json``): the 26-character header
``IS010000000000000000000000`` then the fields in order

====  ======================================  ==========
S1    matricule INS                           15 fixed
S2    OID of the assigning authority          1..20
S3    birth first names, space-separated      1..100
S4    birth name                              1..100
S5    sex M / F                               1 fixed
S6    birth date ``JJ-MM-AAAA``               10 fixed
S7    birth place INSEE code                  5 fixed
====  ======================================  ==========

``<GS>`` (0x1D) ends a variable-length field shorter than its maximum that is not
the last one. Names are upper case A-Z, space, apostrophe, hyphen, no accents.
Only a diffusable INS (qualified identity) gets a DataMatrix; sex ``I`` cannot be
encoded (R-TR-14).

Symbol: the ANS expects the 26-character header C40-encoded (like the 2D-Doc
header, ENCODINGS.md §7), which general encoders do not choose by themselves. The
codewords are therefore built here: C40 latch, the header's first 24 characters
packed in C40, unlatch, then the rest in ASCII mode (digit pairs packed); the ECC
200 symbol (Reed-Solomon, module placement) is built by ``ppf.datamatrix`` from
those codewords. zxing-cpp only reads symbols (tests, scanning).

>>> encode_fields({"S1": "123549685274612", "S2": "2597845632548156952", "S3": "A",
...     "S4": "B", "S5": "M", "S6": "31-08-2021", "S7": "99255"})[26:]
'S1123549685274612S22597845632548156952\\x1dS3A\\x1dS4B\\x1dS5MS631-08-2021S799255'
"""

from __future__ import annotations

import codecs
import re
import struct
import unicodedata
import zlib
from collections.abc import Mapping
from io import BytesIO

import zxingcpp
from ppf.datamatrix import DataMatrix
from ppf.datamatrix.codec_C40 import encode_to_C40

from identito.domain.diffusion import DiffusionView, ExportContext, NotDiffusable, ScannedIns
from identito.domain.errors import InvalidInput

HEADER = "IS010000000000000000000000"
GS = "\x1d"
#: tag -> (minimum, maximum) length; fixed fields have minimum == maximum.
FIELDS: dict[str, tuple[int, int]] = {
    "S1": (15, 15),
    "S2": (1, 20),
    "S3": (1, 100),
    "S4": (1, 100),
    "S5": (1, 1),
    "S6": (10, 10),
    "S7": (5, 5),
}
#: How a 2D scanner or a person may type the group separator.
_GS_SPELLINGS = ("<GS>", "^029", "\u241d", "{GS}", "[GS]")
_TAG = re.compile(r"S([1-7])")
PNG_MEDIA_TYPE = "image/png"
SVG_MEDIA_TYPE = "image/svg+xml"
CAPTION = "INS à scanner"


def _profile(value: str) -> str:
    """Upper case without accents (the INSi lexical profile)."""
    decomposed = unicodedata.normalize("NFD", value.upper())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def encode_fields(values: Mapping[str, str]) -> str:
    """Header + the fields present, in S1..S7 order, with the GS rule."""
    present = [tag for tag in FIELDS if values.get(tag)]
    parts = [HEADER]
    for position, tag in enumerate(present):
        value = values[tag]
        low, high = FIELDS[tag]
        if not low <= len(value) <= high:
            raise ValueError(f"{tag} has {len(value)} characters, expected {low}..{high}")
        last = position == len(present) - 1
        parts.append(f"{tag}{value}{GS if low != high and len(value) < high and not last else ''}")
    return "".join(parts)


def payload(view: DiffusionView) -> str:
    """The DataMatrix content of a view with a diffusable INS."""
    ins = view.require_ins("Le DataMatrix INS")
    t = view.traits
    if not t.sex.known_to_insi:
        raise NotDiffusable("Le sexe indéterminé ne peut pas être codé dans le DataMatrix INS.")
    first_names = " ".join(t.birth_first_names) or t.first_birth_first_name
    return encode_fields(
        {
            "S1": ins.number.number,
            "S2": ins.oid.value,
            "S3": _profile(first_names),
            "S4": _profile(t.birth_name),
            "S5": t.sex.value,
            "S6": view.birth_date.strftime("%d-%m-%Y"),
            "S7": t.birth_place_code,
        }
    )


# -- rendering ----------------------------------------------------------------------------


C40_LATCH = 0xE6


def codewords(text: str) -> bytes:
    """The data codewords: the header in C40 (then unlatch), the rest in ASCII mode.

    >>> codewords(HEADER + "S1")[:1] == bytes([C40_LATCH])
    True
    """
    if not text.startswith(HEADER):
        return text.encode("datamatrix.ascii")
    header, _ = encode_to_C40(HEADER)
    return bytes(header) + text[len(HEADER) :].encode("datamatrix.ascii")


def _ins_codec(name: str) -> codecs.CodecInfo | None:
    if name != "datamatrix.ins":
        return None
    return codecs.CodecInfo(lambda text: (codewords(text), len(text)), None, name=name)


codecs.register(_ins_codec)


class _Symbol(DataMatrix):  # type: ignore[misc]
    """An ECC 200 symbol from our codewords (square, the smallest that holds them)."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.codecs = ["datamatrix.ins"]


def modules(text: str) -> list[list[bool]]:
    """The symbol as rows of dark (True) modules, without quiet zone."""
    return [[bool(cell) for cell in row] for row in _Symbol(text).matrix]


def _with_quiet_zone(text: str, scale: int, quiet: int = 2) -> list[list[bool]]:
    grid = modules(text)
    width = len(grid[0]) + 2 * quiet
    blank = [[False] * width for _ in range(quiet)]
    padded = blank + [[False] * quiet + row + [False] * quiet for row in grid] + blank
    return [[cell for cell in row for _ in range(scale)] for row in padded for _ in range(scale)]


def png(text: str, scale: int = 4) -> bytes:
    """An 8-bit grey PNG, quiet zone included (written with zlib: reproducible bytes)."""
    pixels = _with_quiet_zone(text, scale)
    height, width = len(pixels), len(pixels[0])
    rows = b"".join(b"\x00" + bytes(0 if dark else 255 for dark in row) for row in pixels)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"".join(
        (b"\x89PNG\r\n\x1a\n", chunk(b"IHDR", header),
         chunk(b"IDAT", zlib.compress(rows, 9)), chunk(b"IEND", b""))
    )  # fmt: skip


def svg(text: str, scale: int = 4, quiet: int = 2) -> str:
    grid = modules(text)
    size_x, size_y = len(grid[0]) + 2 * quiet, len(grid) + 2 * quiet
    path = "".join(
        f"M{x + quiet},{y + quiet}h1v1h-1z"
        for y, row in enumerate(grid)
        for x, dark in enumerate(row)
        if dark
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size_x * scale}" '
        f'height="{size_y * scale}" viewBox="0 0 {size_x} {size_y}" shape-rendering="crispEdges">'
        f'<rect width="{size_x}" height="{size_y}" fill="#fff"/>'
        f'<path d="{path}" fill="#000"/></svg>'
    )


def render_png(view: DiffusionView, context: ExportContext) -> bytes:
    return png(payload(view))


def render_svg(view: DiffusionView, context: ExportContext) -> bytes:
    return svg(payload(view)).encode("utf-8")


# -- scanning -------------------------------------------------------------------------------


def _invalid(message: str) -> InvalidInput:
    return InvalidInput.single("datamatrix", "datamatrix_invalid", message)


def decode_image(data: bytes) -> str:
    """The DataMatrix text of an uploaded image (PNG, JPEG...), via Pillow and zxing-cpp."""
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(BytesIO(data)).convert("L")
    except (UnidentifiedImageError, OSError):
        raise _invalid("Le fichier envoyé n'est pas une image lisible.") from None
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.DataMatrix)
    if not found:
        raise _invalid("Aucun DataMatrix trouvé dans l'image.")
    return found[0].bytes.decode("latin-1")


def _fields(text: str) -> dict[str, str]:
    """Split the fields: fixed ones by length, variable ones up to GS or the next tag.

    Names hold no digit and the OID no ``S``, so a tag ``S<digit>`` never occurs
    inside a value: fields read even when the scanner dropped the GS, in any order.
    """
    values: dict[str, str] = {}
    position = 0
    while position < len(text):
        match = _TAG.match(text, position)
        if match is None:
            raise _invalid(f"Champ inattendu à la position {position} du DataMatrix.")
        tag, position = match.group(0), match.end()
        low, high = FIELDS[tag]
        if low == high:
            value = text[position : position + high]
            position += high
        else:
            ends = [i for i in (text.find(GS, position),) if i >= 0]
            following = _TAG.search(text, position)
            if following:
                ends.append(following.start())
            end = min([*ends, len(text), position + high])
            value = text[position:end]
            position = end + (1 if text[end : end + 1] == GS else 0)
        values[tag] = value.strip()
    return values


def parse_payload(text: str) -> ScannedIns:
    """The traits and matricule of a scanned INS DataMatrix (text or image content)."""
    cleaned = text.strip().replace("\r", "").replace("\n", "")
    for spelling in _GS_SPELLINGS:
        cleaned = cleaned.replace(spelling, GS)
    if not cleaned.upper().startswith(HEADER[:4]):
        raise _invalid("Ce code n'est pas un DataMatrix INS (en-tête IS01 attendu).")
    values = _fields(cleaned[len(HEADER) :])
    missing = [tag for tag in ("S1", "S2", "S3", "S4", "S5", "S6") if not values.get(tag)]
    if missing:
        raise _invalid(f"DataMatrix INS incomplet : champ(s) {', '.join(missing)} absent(s).")
    day, month, year = values["S6"][:2], values["S6"][3:5], values["S6"][6:]
    return ScannedIns(
        ins_number=values["S1"],
        oid=values["S2"],
        birth_first_names=tuple(values["S3"].split()),
        birth_name=values["S4"],
        sex=values["S5"],
        birth_date=f"{year}-{month}-{day}",
        birth_place_code=values.get("S7") or None,
    )
