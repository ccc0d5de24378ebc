"""Value objects of the geographic reference: places and the result of a lookup."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class PlaceKind(StrEnum):
    """What a code designates.

    ``TERRITORY`` covers the territory-level codes of ``v_tom_depuis_1943.csv``
    (former colonies, protectorates, TOM, overseas collectivities).
    Foreign countries and territories (``99xxx``) are all ``COUNTRY``.
    """

    COMMUNE = "commune"
    COUNTRY = "country"
    TERRITORY = "territory"


@dataclass(frozen=True)
class Place:
    """One name period of a code: ``[valid_from, valid_to)``, ``valid_to`` exclusive.

    ``valid_to`` is ``None`` while the name is still valid. ``postal_codes`` are the
    current (2026) postal codes and are only filled on the current period of a
    commune. ``former_label`` is set on search hits found through another name of
    the place (an old name, or the name of a commune merged into it): it is the
    name that matched.
    """

    code: str
    label: str
    kind: PlaceKind
    valid_from: date | None
    valid_to: date | None
    postal_codes: tuple[str, ...] = ()
    former_label: str | None = None

    def is_valid_on(self, on: date) -> bool:
        """Half-open interval check: the end date itself is not valid."""
        if self.valid_from is not None and on < self.valid_from:
            return False
        return self.valid_to is None or on < self.valid_to


@dataclass(frozen=True)
class PlaceCheck:
    """Result of checking a birth place code at a date.

    ``place`` is the place the code designates (the period valid on ``on`` when
    there is one); ``warning`` is a French message when the code is accepted
    although it is not strictly valid on that date.
    """

    code: str
    on: date
    place: Place | None
    warning: str | None = None
