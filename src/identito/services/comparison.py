"""The comparison view: local strict traits beside the INSi ones, and a similarity score.

Traits are compared in a normalised form (upper case, no diacritics: both sides
already are; hyphens and apostrophes read as spaces, spaces collapsed; REQUIREMENTS
§6). Names score with the Jaro-Winkler similarity (rapidfuzz), birth date, sex and
birth place only match or not. The score is the weighted mean of the field
scores, in [0, 1]; it is exactly 1.0 when, and only when, every field is equal
after normalisation, so the default threshold 1.0 integrates only identical traits.

No official rule for automatic feed was found (R-IN-10): the weights below are a
documented choice (docs/insi-flow.md), the threshold is an organisation setting.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from rapidfuzz.distance import JaroWinkler

from identito.domain.trait_set import Traits
from identito.domain.traits import comparable_first_names

#: Field -> (weight, compared as a name). Weights add up to 1.
FIELD_WEIGHTS: dict[str, tuple[float, bool]] = {
    "birth_name": (0.25, True),
    "birth_first_names": (0.15, True),
    "first_birth_first_name": (0.15, True),
    "birth_date": (0.20, False),
    "sex": (0.10, False),
    "birth_place_code": (0.15, False),
}
#: The largest score a comparison with a difference can reach.
BELOW_IDENTICAL = 0.9999


@dataclass(frozen=True)
class FieldComparison:
    field: str
    local: str | None
    insi: str | None
    differs: bool
    score: float


@dataclass(frozen=True)
class Comparison:
    fields: tuple[FieldComparison, ...]
    similarity: float

    @property
    def differences(self) -> tuple[str, ...]:
        return tuple(f.field for f in self.fields if f.differs)

    @property
    def identical(self) -> bool:
        return not self.differences

    def side(self, which: str) -> dict[str, str | None]:
        """The traits of one side (``local`` or ``insi``) as shown."""
        return {f.field: getattr(f, which) for f in self.fields}

    def as_dict(self) -> dict[str, Any]:
        return {
            "fields": [vars(f) for f in self.fields],
            "similarity": self.similarity,
            "differences": list(self.differences),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Comparison:
        fields = tuple(FieldComparison(**f) for f in data["fields"])
        return cls(fields, float(data["similarity"]))


def shown(traits: Traits) -> dict[str, str]:
    """The compared traits as displayed side by side."""
    return {
        "birth_name": traits.birth_name,
        "birth_first_names": " ".join(traits.birth_first_names),
        "first_birth_first_name": traits.first_birth_first_name,
        "birth_date": traits.birth_date.raw,
        "sex": traits.sex.value,
        "birth_place_code": traits.birth_place_code,
    }


def normalised(value: str | None) -> str:
    """Hyphen and apostrophe count as space; spaces collapse; case is ignored."""
    return " ".join(comparable_first_names((value or "").upper()).split())


def compare(local: Traits, insi: Traits) -> Comparison:
    """Compare two sets of strict traits field by field."""
    left, right = shown(local), shown(insi)
    fields = tuple(
        _field(name, left[name], right[name], is_name)
        for name, (_, is_name) in FIELD_WEIGHTS.items()
    )
    return Comparison(fields, similarity(fields))


def _field(name: str, local: str, insi: str, is_name: bool) -> FieldComparison:
    a, b = normalised(local), normalised(insi)
    if a == b:
        score = 1.0
    elif is_name:
        score = float(JaroWinkler.normalized_similarity(a, b))
    else:
        score = 0.0
    return FieldComparison(name, local, insi, differs=a != b, score=score)


def similarity(fields: tuple[FieldComparison, ...]) -> float:
    """Weighted mean of the field scores: 1.0 only when nothing differs."""
    if not any(f.differs for f in fields):
        return 1.0
    total = math.fsum(FIELD_WEIGHTS[f.field][0] * f.score for f in fields)
    return round(min(total, BELOW_IDENTICAL), 4)
