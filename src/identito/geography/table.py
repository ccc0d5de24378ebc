"""In-memory form of the shipped data set: parallel lists, one entry per name period."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from identito.geography import dataset
from identito.geography.model import Place, PlaceKind

#: A municipal arrondissement as the COG names it: ``Paris 16e Arrondissement``.
_ARRONDISSEMENT = re.compile(r"^(?P<commune>.+) \d+(?:er|e) Arrondissement$")
KINDS = {"M": PlaceKind.COMMUNE, "O": PlaceKind.COMMUNE, "T": PlaceKind.TERRITORY}
COMMUNE_SOURCES = "MO"


@dataclass
class PlaceTable:
    """Rows of ``places.tsv.gz``; an *entity* is the rows of one (source file, code)."""

    source: list[str] = field(default_factory=list)
    code: list[str] = field(default_factory=list)
    label: list[str] = field(default_factory=list)
    key: list[str] = field(default_factory=list)
    alt_key: list[str] = field(default_factory=list)
    start: list[date | None] = field(default_factory=list)
    end: list[date | None] = field(default_factory=list)
    entity: list[int] = field(default_factory=list)
    entity_rows: list[list[int]] = field(default_factory=list)
    by_code: dict[str, list[int]] = field(default_factory=dict)
    postal_codes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    extensions: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: Commune code -> rows of its municipal arrondissements.
    arrondissements: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def load(cls, data_dir: Path) -> PlaceTable:
        table = cls()
        dates: dict[str, date | None] = {"": None}
        entities: dict[tuple[str, str], int] = {}
        for index, row in enumerate(dataset.read_table(data_dir / dataset.PLACES)):
            source, code, label, key, alt_key, start, end = row
            for text in (start, end):
                if text not in dates:
                    dates[text] = date.fromisoformat(text)
            table.source.append(source)
            table.code.append(code)
            table.label.append(label)
            table.key.append(key)
            table.alt_key.append(alt_key)
            table.start.append(dates[start])
            table.end.append(dates[end])
            entity = entities.setdefault((source, code), len(entities))
            if entity == len(table.entity_rows):
                table.entity_rows.append([])
            table.entity_rows[entity].append(index)
            table.entity.append(entity)
            table.by_code.setdefault(code, []).append(index)
        for code, codes in dataset.read_table(data_dir / dataset.POSTAL_CODES):
            table.postal_codes[code] = tuple(codes.split())
        for code, cog_code, label in dataset.read_table(data_dir / dataset.EXTENSION_CODES):
            table.extensions[code] = (cog_code, label)
        table.arrondissements = table._arrondissement_rows()
        return table

    def _arrondissement_rows(self) -> dict[str, list[int]]:
        """Commune code -> rows of its municipal arrondissements (Paris, Lyon, Marseille).

        Read from the data, not typed: a commune row whose label names another
        commune of the same department followed by ``Ne Arrondissement``.
        """
        communes = {
            (self.code[row][:2], self.label[row]): self.code[row]
            for row in range(len(self.code))
            if self.source[row] in COMMUNE_SOURCES and not _ARRONDISSEMENT.match(self.label[row])
        }
        found: dict[str, list[int]] = {}
        for row, label in enumerate(self.label):
            match = _ARRONDISSEMENT.match(label)
            parent = match and communes.get((self.code[row][:2], match["commune"]))
            if parent and self.source[row] in COMMUNE_SOURCES:
                found.setdefault(parent, []).append(row)
        return found

    def __len__(self) -> int:
        return len(self.code)

    def is_empty(self, row: int) -> bool:
        """Rows with ``DATE_DEBUT == DATE_FIN`` are valid on no date."""
        return self.end[row] is not None and self.start[row] == self.end[row]

    def is_valid_on(self, row: int, on: date) -> bool:
        start, end = self.start[row], self.end[row]
        return (start is None or start <= on) and (end is None or on < end)

    def kind(self, row: int) -> PlaceKind:
        return KINDS.get(self.source[row], PlaceKind.COUNTRY)

    def row_on(self, rows: list[int], on: date | None) -> int | None:
        """The row valid on ``on`` or, when ``on`` is None, the latest non-empty row."""
        if on is not None:
            return next((row for row in rows if self.is_valid_on(row, on)), None)
        rows = [row for row in rows if not self.is_empty(row)]
        return max(rows, key=lambda row: self.start[row] or date.min, default=None)

    def place(self, row: int, former_label: str | None = None) -> Place:
        current_commune = self.end[row] is None and self.source[row] in COMMUNE_SOURCES
        postal = self.postal_codes.get(self.code[row], ()) if current_commune else ()
        return Place(
            code=self.code[row],
            label=self.label[row],
            kind=self.kind(row),
            valid_from=self.start[row],
            valid_to=self.end[row],
            postal_codes=postal,
            former_label=former_label,
        )
