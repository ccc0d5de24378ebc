"""Name search over the places: a sorted list of keys, prefix search with ``bisect``."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from identito.geography import dataset
from identito.geography.model import Place
from identito.geography.names import query_key
from identito.geography.table import PlaceTable


@dataclass(frozen=True)
class MergedName:
    """The name of a vanished commune, pointing to its successor during a period."""

    key: str
    label: str
    code: str
    start: date
    end: date | None

    def applies_on(self, on: date | None) -> bool:
        if on is None:
            return self.end is None
        return self.start <= on and (self.end is None or on < self.end)


class SearchIndex:
    """Every name of every place (label, name without article, merged names), sorted.

    Entries point to a row of the table (``>= 0``) or to a merged name (``-1 - i``).
    """

    def __init__(self, table: PlaceTable, merged: list[MergedName], alt_keys: list[str]):
        self._table = table
        self._merged = merged
        entries = [(key, row) for row, key in enumerate(table.key)]
        entries += [(key, row) for row, key in enumerate(table.alt_key) if key]
        entries += [(m.key, -1 - i) for i, m in enumerate(merged)]
        entries += [(key, -1 - i) for i, key in enumerate(alt_keys) if key]
        entries.sort()
        self._keys = [key for key, _ in entries]
        self._targets = [target for _, target in entries]
        self._metro = {
            table.code[rows[0]]: rows for rows in table.entity_rows if table.source[rows[0]] == "M"
        }

    @classmethod
    def load(cls, table: PlaceTable, data_dir: Path) -> SearchIndex:
        merged, alt_keys = [], []
        for key, alt_key, label, code, start, end in dataset.read_table(
            data_dir / dataset.MERGED_NAMES
        ):
            stop = date.fromisoformat(end) if end else None
            merged.append(MergedName(key, label, code, date.fromisoformat(start), stop))
            alt_keys.append(alt_key)
        return cls(table, merged, alt_keys)

    def search(self, name: str, on: date | None, limit: int) -> list[Place]:
        query = query_key(name)
        if not query or limit <= 0:
            return []
        found: dict[int, tuple[int, str, str, str, str | None]] = {}
        keys, position = self._keys, bisect_left(self._keys, query)
        while position < len(keys) and keys[position].startswith(query):
            key = keys[position]
            if len(found) >= limit and key != keys[position - 1]:
                break
            hit = self._resolve(self._targets[position], on)
            if hit is not None and hit[0] not in found:
                row, matched = hit
                former = matched if key not in self._row_keys(row) else None
                rank = 0 if key == query else 1
                found[row] = (rank, key, self._table.key[row], self._table.code[row], former)
            position += 1
        ordered = sorted(found.items(), key=lambda item: item[1][:4])[:limit]
        return [self._table.place(row, former) for row, (*_, former) in ordered]

    def _row_keys(self, row: int) -> tuple[str, str]:
        return self._table.key[row], self._table.alt_key[row]

    def _resolve(self, target: int, on: date | None) -> tuple[int, str] | None:
        """(row to return, name that matched) for an index entry, or None."""
        table = self._table
        if target >= 0:
            row = table.row_on(table.entity_rows[table.entity[target]], on)
            matched = table.label[target]
        else:
            merged = self._merged[-1 - target]
            rows = self._metro.get(merged.code)
            if not merged.applies_on(on) or rows is None:
                return None
            row, matched = table.row_on(rows, on), merged.label
        if row is None or len(table.code[row]) != 5:
            return None
        return row, matched
