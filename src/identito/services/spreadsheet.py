"""CSV for a French spreadsheet: ``;``-separated, CRLF lines, UTF-8 with a byte order mark
(so that Excel reads the accents): the reports and worklist exports share it."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence


def spreadsheet_csv(rows: Iterable[Sequence[object]]) -> str:
    """The CSV text of ``rows`` (header included), BOM first."""
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    return "\ufeff" + out.getvalue()
