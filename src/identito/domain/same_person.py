"""One person, one creation (issue 12, ADR 0007).

A new identity whose strict traits (``trait_set.STRICT_FIELDS``, as normalised at
entry) are those of an active identity is the same person: creating it is refused
(``SamePersonExists``, 409, with the existing identity) unless the user explicitly
creates it anyway (« Créer quand même »), which records the pair for identity
vigilance. Creations of the same strict traits are serialised by a lock named by
``lock_number`` (a PostgreSQL transaction-scoped advisory lock; SQLite's write lock),
taken before the check, so sixteen at once behave as sixteen in a row.

>>> from identito.domain.trait_set import Traits
>>> from identito.domain.traits import BirthDate, Sex
>>> a = Traits("DUPONT", ("JEAN",), "JEAN", BirthDate.parse("1980-01-02"), Sex.MALE, "75056")
>>> strict_key(a)
'DUPONT|JEAN|JEAN|1980-01-02|M|75056'
>>> b = Traits("DUPONT", ("JEAN",), "JEAN", BirthDate.parse("1980-01-02"), Sex.MALE, "75056",
...            used_name="MARTIN")
>>> same_strict_traits(a, b), lock_number(a) == lock_number(b)
(True, True)
"""

from __future__ import annotations

import hashlib
from uuid import UUID

from identito.domain.errors import InvalidTransition
from identito.domain.trait_set import STRICT_FIELDS, Traits

RULE = "same_person_exists"


class SamePersonExists(InvalidTransition):
    """An active identity already has these strict traits (409, rule
    ``same_person_exists``); ``existing`` is its id."""

    def __init__(self, existing: UUID) -> None:
        super().__init__(
            f"Une identité active porte déjà exactement ces traits stricts ({existing}) : "
            "utiliser celle-ci, ou créer quand même (doublon à examiner).",
            rule=RULE,
        )
        self.existing = existing


def strict_key(traits: Traits) -> str:
    """The normalised strict traits, one string."""
    return "|".join(
        (
            traits.birth_name,
            " ".join(traits.birth_first_names),
            traits.first_birth_first_name,
            traits.birth_date.raw,
            traits.sex.value,
            traits.birth_place_code,
        )
    )


def lock_number(traits: Traits) -> int:
    """A signed 64-bit number for the strict traits (a PostgreSQL advisory lock key)."""
    digest = hashlib.sha256(strict_key(traits).encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def same_strict_traits(first: Traits, second: Traits) -> bool:
    return all(getattr(first, f) == getattr(second, f) for f in STRICT_FIELDS)
