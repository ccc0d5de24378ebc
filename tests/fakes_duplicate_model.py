"""``FakeDuplicateModelStore``: the estimated duplicate model in memory."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace

from identito.domain.duplicate_model import ModelParameters, TermFrequencies, Trait


def _only(table: Mapping[str, float], keys: Collection[str] | None) -> dict[str, float]:
    return dict(table) if keys is None else {k: table[k] for k in keys if k in table}


class FakeDuplicateModelStore:
    def __init__(self) -> None:
        self.stored: tuple[ModelParameters, TermFrequencies] | None = None

    def parameters(self) -> ModelParameters | None:
        return self.stored[0] if self.stored else None

    def term_frequencies(
        self, keys: Mapping[Trait, Collection[str]] | None = None
    ) -> TermFrequencies:
        if self.stored is None:
            return TermFrequencies({}, {})
        stored = self.stored[1]
        shares = {
            trait: _only(table, None if keys is None else keys.get(trait, ()))
            for trait, table in stored.shares.items()
        }
        return replace(stored, shares=shares)

    def save(self, parameters: ModelParameters, frequencies: TermFrequencies) -> None:
        self.stored = (parameters, frequencies)
