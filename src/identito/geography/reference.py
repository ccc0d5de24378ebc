"""The geographic reference: is a birth place code valid on a date, search by name.

>>> from datetime import date
>>> reference = get_reference()
>>> reference.lookup("20004", date(1950, 5, 1)).place.label
'Ajaccio'
>>> [p.code for p in reference.search("ajaccio", on=date(1980, 1, 1))]
['2A004']
"""

from __future__ import annotations

import functools
import re
from datetime import date
from pathlib import Path

from identito.geography import dataset
from identito.geography.errors import (
    InvalidPlaceCode,
    Period,
    PlaceNotValidOnDate,
    UnknownPlaceCode,
    describe_period,
    format_date,
)
from identito.geography.model import Place, PlaceCheck, PlaceKind
from identito.geography.search import SearchIndex
from identito.geography.table import PlaceTable

UNKNOWN_PLACE_CODE = "99999"
UNKNOWN_PLACE = Place(
    UNKNOWN_PLACE_CODE, "Lieu de naissance inconnu", PlaceKind.COUNTRY, None, None
)
COG_START = date(1943, 1, 1)
_CODE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
_DOM_PREFIXES = ("971", "972", "973", "974")


def normalise_code(code: str) -> str:
    """Upper-case, stripped code; raises ``InvalidPlaceCode`` if not 5 INSEE characters."""
    normalised = (code or "").strip().upper()
    if not _CODE.match(normalised):
        raise InvalidPlaceCode(normalised or code)
    return normalised


class GeographicReference:
    """INSEE COG 2026: communes since 1943, former territories, countries, extension codes."""

    def __init__(self, table: PlaceTable, index: SearchIndex) -> None:
        self._table = table
        self._index = index

    @classmethod
    def load(cls, data_dir: Path) -> GeographicReference:
        table = PlaceTable.load(data_dir)
        return cls(table, SearchIndex.load(table, data_dir))

    def lookup(self, code: str, on: date) -> PlaceCheck:
        """The place a code designates on a date (half-open validity periods).

        Accepted with a French ``warning``: extension codes, a country code used before
        its first period, a code existing from 1943-01-01 used for an earlier date, a
        DOM commune code used before its creation in the COG (1946).
        """
        code = normalise_code(code)
        if code == UNKNOWN_PLACE_CODE:
            return PlaceCheck(code, on, UNKNOWN_PLACE, None)
        table = self._table
        rows = table.by_code.get(code, [])
        valid = table.row_on(rows, on) if rows else None
        if valid is not None:
            return PlaceCheck(code, on, table.place(valid), None)
        if code in table.extensions:
            return self._extension(code, on)
        if not rows:
            raise UnknownPlaceCode(code)
        usable = [row for row in rows if not table.is_empty(row)]
        if usable:
            first = min(usable, key=lambda row: table.start[row] or date.min)
            warning = self._early_use_warning(first, on)
            if warning is not None:
                return PlaceCheck(code, on, table.place(first), warning)
        raise PlaceNotValidOnDate(code, on, self._periods(rows))

    def check_birth_place(self, code: str, on: date) -> PlaceCheck:
        """Same as :meth:`lookup` (the name used by the domain's protocol)."""
        return self.lookup(code, on)

    def arrondissements(self, code: str, on: date) -> list[Place]:
        """The municipal arrondissements of a commune valid on a date, in code order.

        Births in Paris, Lyon and Marseille are coded by arrondissement, not by the
        whole commune (75056, 69123, 13055), once the arrondissements exist (Marseille's
        from 18/10/1946). A date before the COG (1943) is taken as its first day.

        >>> [p.code for p in get_reference().arrondissements("69123", date(1950, 1, 1))][-1]
        '69387'
        """
        table = self._table
        rows = table.arrondissements.get(normalise_code(code))
        if not rows:  # every commune but three: checked at each identity entry
            return []
        on = max(on, COG_START)  # the COG starts in 1943: Paris's and Lyon's existed before
        return sorted(
            (table.place(row) for row in rows if table.is_valid_on(row, on)),
            key=lambda place: place.code,
        )

    def search(self, name: str, on: date | None = None, limit: int = 20) -> list[Place]:
        """Places whose name (current or former) starts with ``name``.

        Insensitive to accents, case, hyphens, apostrophes and the article. With
        ``on``, only places valid on that date, labelled as they were then.
        Exact matches first, then prefix matches, in name order.
        """
        return self._index.search(name, on, limit)

    def _extension(self, code: str, on: date) -> PlaceCheck:
        table = self._table
        cog_code, label = table.extensions[code]
        rows = table.by_code.get(cog_code, [])
        row = table.row_on(rows, on) if rows else None
        row = row if row is not None else table.row_on(rows, None)
        place = table.place(row) if row is not None else None
        warning = (
            f"Le code {code} ({label}) est un code d'extension de l'Insee, hors Code officiel "
            f"géographique : il correspond au code {cog_code}"
            f"{f' ({place.label})' if place else ''}."
        )
        return PlaceCheck(code, on, place, warning)

    def _early_use_warning(self, first: int, on: date) -> str | None:
        table = self._table
        start = table.start[first]
        if start is None or on >= start:
            return None
        code, label, since = table.code[first], table.label[first], format_date(start)
        accepted = f"accepté pour le {format_date(on)}"
        if start == COG_START:
            return (
                f"Le Code officiel géographique commence le 01/01/1943 : le code {code} "
                f"({label}) existait à cette date ; {accepted}, à vérifier."
            )
        if table.source[first] == "P":
            return (
                f"Le code pays {code} ({label}) n'est valide qu'à partir du {since} ; "
                f"{accepted} car les bases nationales peuvent donner le code actuel du pays "
                "pour une naissance antérieure."
            )
        if table.source[first] == "M" and code.startswith(_DOM_PREFIXES) and start.year == 1946:
            return (
                f"Le code {code} ({label}) n'existe qu'à partir du {since} (départementalisation) ;"
                f" {accepted} car les bases nationales peuvent donner le code de la commune "
                "pour une naissance antérieure."
            )
        return None

    def _periods(self, rows: list[int]) -> list[Period]:
        """Validity periods of a code, adjacent periods with the same label merged."""
        table = self._table
        periods: list[Period] = []
        kept = [row for row in rows if not table.is_empty(row)] or rows
        for row in sorted(kept, key=lambda row: (table.start[row] or date.min, row)):
            start, end, label = table.start[row], table.end[row], table.label[row]
            if periods and periods[-1][2] == label and periods[-1][1] == start:
                periods[-1] = (periods[-1][0], end, label)
            else:
                periods.append((start, end, label))
        return periods


@functools.cache
def get_reference(data_dir: Path | None = None) -> GeographicReference:
    """The reference loaded from ``data_dir`` (default: the data shipped in the package).

    Loaded once per directory and cached; ``get_reference.cache_clear()`` forgets it.
    A directory that holds no data set yet (nothing reloaded into it) falls back to
    the shipped data.
    """
    if data_dir is None or not (Path(data_dir) / dataset.PLACES).is_file():
        return GeographicReference.load(dataset.DEFAULT_DATA_DIR)
    return GeographicReference.load(Path(data_dir))


__all__ = ["GeographicReference", "describe_period", "get_reference", "normalise_code"]
