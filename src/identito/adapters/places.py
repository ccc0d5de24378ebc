"""Birth-place checks of the domain, answered by the INSEE geographic reference."""

from __future__ import annotations

from datetime import date

from identito.domain.errors import InvalidInput
from identito.geography import GeographicReference, GeographyError


class InseeBirthPlaces:
    """Implements ``domain.trait_set.BirthPlaceRegister`` with the shipped COG data."""

    def __init__(self, reference: GeographicReference) -> None:
        self.reference = reference

    def check_birth_place(self, code: str, on: date) -> str | None:
        try:
            return self.reference.check_birth_place(code, on).warning
        except GeographyError as error:
            raise InvalidInput.single("birth_place_code", error.code, error.message) from None
