"""Port of the estimated duplicate model: its parameters and the name frequencies.

``estimate_model`` (``services.duplicate_scan``) saves them; the batch scan and the
check at creation read them. When nothing was estimated yet, ``parameters`` is
None and the domain's documented defaults apply, without term frequencies.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Protocol

from identito.domain.duplicate_model import ModelParameters, TermFrequencies, Trait


class DuplicateModelStore(Protocol):
    def parameters(self) -> ModelParameters | None:
        """The last estimated parameters, or None."""
        ...

    def term_frequencies(
        self, keys: Mapping[Trait, Collection[str]] | None = None
    ) -> TermFrequencies:
        """Frequencies of the given values per trait (all of them when None)."""
        ...

    def save(self, parameters: ModelParameters, frequencies: TermFrequencies) -> None:
        """Replace the stored parameters and frequencies."""
        ...
