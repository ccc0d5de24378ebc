"""``SqlDuplicateModelStore``: the estimated duplicate model and the value frequencies.

One ``duplicate_model`` row (id 1) holds the parameters as JSON, with the sums of
squared shares and the floors of the term frequencies; ``duplicate_frequencies``
holds the share of each common value (kind = the trait: name, first names, birth
place), read by key for the check at creation (primary-key look-ups) and all at
once by the batch scan.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from identito.adapters.bulk import insert_many
from identito.adapters.orm import duplicate_frequencies, duplicate_model
from identito.domain.duplicate_model import TF_TRAITS, ModelParameters, TermFrequencies, Trait

BATCH = 10_000


class SqlDuplicateModelStore:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def _row(self) -> dict[str, Any] | None:
        stored = self.connection.scalar(
            select(duplicate_model.c.parameters).where(duplicate_model.c.id == 1)
        )
        return dict(stored) if stored else None

    def parameters(self) -> ModelParameters | None:
        row = self._row()
        return ModelParameters.from_json(row) if row else None

    def term_frequencies(
        self, keys: Mapping[Trait, Collection[str]] | None = None
    ) -> TermFrequencies:
        row = self._row()
        if row is None:
            return TermFrequencies({}, {})
        stored = row.get("frequencies", {})
        return TermFrequencies(
            {t: self._shares(t, None if keys is None else keys.get(t, ())) for t in TF_TRAITS},
            {Trait(t): float(v) for t, v in stored.get("sums", {}).items()},
            {Trait(t): float(v) for t, v in stored.get("floors", {}).items()},
        )

    def _shares(self, trait: Trait, keys: Collection[str] | None) -> dict[str, float]:
        table = duplicate_frequencies
        query = select(table.c.key, table.c.share).where(table.c.kind == trait.value)
        if keys is not None:
            if not keys:
                return {}
            query = query.where(table.c.key.in_(list(keys)))
        return {key: share for key, share in self.connection.execute(query)}

    def save(self, parameters: ModelParameters, frequencies: TermFrequencies) -> None:
        payload = parameters.to_json()
        payload["frequencies"] = {
            "sums": {t.value: v for t, v in frequencies.sums.items()},
            "floors": {t.value: v for t, v in frequencies.floors.items()},
        }
        self.connection.execute(delete(duplicate_model))
        self.connection.execute(delete(duplicate_frequencies))
        self.connection.execute(
            insert(duplicate_model).values(id=1, estimated_at=datetime.now(UTC), parameters=payload)
        )
        rows = [
            {"kind": trait.value, "key": key, "share": share}
            for trait, table in frequencies.shares.items()
            for key, share in table.items()
        ]
        for start in range(0, len(rows), BATCH):
            insert_many(self.connection, duplicate_frequencies, rows[start : start + BATCH])
