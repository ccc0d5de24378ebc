"""Layout of the shipped data set (``geography/data/``), shared by the build and the loader.

Every table is a gzip'd, tab-separated UTF-8 text file with a header line, written
deterministically (no timestamp in the gzip header) so that a rebuild from the same
sources gives the same bytes. Dates are ISO ``YYYY-MM-DD``, empty when open.

* ``places.tsv.gz``: one row per name period of a code, ``[date_start, date_end)``.
  ``source`` tells the INSEE file: ``M`` communes since 1943 (metropolitan + DOM),
  ``O`` communes of former and overseas territories, ``T`` territory-level codes,
  ``P`` countries and foreign territories (``99xxx``). ``key`` is the search key of
  the label, ``alt_key`` the key of the name without article (or of the country's
  long name) when it differs.
* ``postal_codes.tsv.gz``: current communes, their 2026 postal codes (space-separated).
* ``extension_codes.tsv.gz``: INSEE extension codes and the COG code they map to.
* ``merged_names.tsv.gz``: the name of a commune that disappeared (merger,
  association, code change) pointing to the commune that took it over, during
  ``[date_start, date_end)``.
* ``manifest.json``: row counts and the sha256 of the source files.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

DEFAULT_DATA_DIR = Path(__file__).parent / "data"

PLACES = "places.tsv.gz"
POSTAL_CODES = "postal_codes.tsv.gz"
EXTENSION_CODES = "extension_codes.tsv.gz"
MERGED_NAMES = "merged_names.tsv.gz"
MANIFEST = "manifest.json"

HEADERS: dict[str, tuple[str, ...]] = {
    PLACES: ("source", "code", "label", "key", "alt_key", "date_start", "date_end"),
    POSTAL_CODES: ("code", "postal_codes"),
    EXTENSION_CODES: ("code", "cog_code", "label"),
    MERGED_NAMES: ("key", "alt_key", "label", "code", "date_start", "date_end"),
}
TABLES = tuple(HEADERS)


class DataSetError(ValueError):
    """A data file is missing, malformed or empty."""


def write_table(path: Path, rows: Iterable[Sequence[str]]) -> int:
    """Write one table; returns the number of rows (header excluded)."""
    header = HEADERS[path.name]
    buffer = io.StringIO()
    buffer.write("\t".join(header) + "\n")
    count = 0
    for row in rows:
        if len(row) != len(header) or any(("\t" in f or "\n" in f) for f in row):
            raise DataSetError(f"{path.name}: bad row {row!r}")
        buffer.write("\t".join(row) + "\n")
        count += 1
    with path.open("wb") as raw, gzip.GzipFile("", "wb", 9, raw, mtime=0) as out:
        out.write(buffer.getvalue().encode("utf-8"))
    return count


def read_table(path: Path) -> list[list[str]]:
    """Rows of one table, header checked and dropped."""
    try:
        text = gzip.decompress(path.read_bytes()).decode("utf-8")
    except (OSError, EOFError, UnicodeDecodeError) as error:
        raise DataSetError(f"{path}: unreadable ({error})") from error
    lines = text.split("\n")
    if lines[0].split("\t") != list(HEADERS[path.name]):
        raise DataSetError(f"{path}: unexpected header {lines[0]!r}")
    return [line.split("\t") for line in lines[1:] if line]
