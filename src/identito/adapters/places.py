"""Birth-place checks of the domain, answered by the INSEE geographic reference."""

from __future__ import annotations

from datetime import date

from identito.domain.entry_rules import WHOLE_COMMUNE_RULE
from identito.domain.errors import InvalidInput
from identito.geography import GeographicReference, GeographyError

__all__ = ["WHOLE_COMMUNE_RULE", "InseeBirthPlaces"]


class InseeBirthPlaces:
    """Implements ``domain.trait_set.BirthPlaceRegister`` with the shipped COG data."""

    def __init__(self, reference: GeographicReference) -> None:
        self.reference = reference

    def check_birth_place(self, code: str, on: date) -> str | None:
        """The code's warning, or ``InvalidInput`` on ``birth_place_code``.

        Besides the COG checks, a commune divided into municipal arrondissements on
        the birth date (Paris, Lyon, Marseille) is refused: the birth is coded by
        arrondissement (INSEE COG; the INS traits carry the arrondissement code).
        """
        try:
            check = self.reference.check_birth_place(code, on)
        except GeographyError as error:
            raise InvalidInput.single("birth_place_code", error.code, error.message) from None
        arrondissements = self.reference.arrondissements(check.code, on)
        if arrondissements:
            listed = ", ".join(f"{p.code} ({p.label})" for p in arrondissements)
            label = check.place.label if check.place else check.code
            message = (
                f"Le code {check.code} désigne {label} entière : une naissance à {label} se code "
                f"par arrondissement municipal. Choisissez l'arrondissement : {listed}."
            )
            raise InvalidInput.single("birth_place_code", WHOLE_COMMUNE_RULE, message)
        return check.warning
