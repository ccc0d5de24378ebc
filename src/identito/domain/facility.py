"""The modifying entity of a hospital group (GHT): its name and FINESS number (R-LK-03).

In a GHT sharing one identity base, every message about an identity says which
entity changed it last: HL7 v2 ``PID-34`` *Last Update Facility* (IHE PAM §6.6.16,
type HD), "name or FINESS EJ/EG" (REQUIREMENTS.md R-LK-03). identito emits its own
entity (the settings ``facility_name`` and ``facility_finess``) and keeps the entity a
received message names beside that message (``received_messages``).

A FINESS number (Fichier national des établissements sanitaires et sociaux) has nine
characters: the department on two (``2A`` / ``2B`` in Corsica), then seven digits,
the last one a check key. The reference material identito was built with carries no
FINESS specification, so only that shape is checked, not the key (docs/ins-rules.md,
"Entité modificatrice"):

>>> compact(" 35 000 012 1 ")
'350000121'
>>> is_valid("350000121"), is_valid("2A0000017"), is_valid("35000012"), is_valid("3500001X1")
(True, True, False, False)
>>> ModifyingEntity("CHU-X", "350000121").label
'CHU-X (FINESS 350000121)'
"""

from __future__ import annotations

from dataclasses import dataclass

from identito.domain.errors import InvalidInput

FINESS_LENGTH = 9
_CORSICA = ("2A", "2B")


def compact(number: str) -> str:
    """The number without spaces, dots or dashes, upper case (``2a`` -> ``2A``)."""
    return "".join(c for c in number if c not in " .-").upper()


def validate(number: str) -> str:
    """The compact FINESS number, or ``InvalidInput`` (rule ``finess``)."""
    value = compact(number)
    rest = value[2:] if value[:2] in _CORSICA else value
    if len(value) != FINESS_LENGTH or not rest.isdigit():
        raise InvalidInput.single(
            "finess",
            "finess",
            f"Numéro FINESS « {number} » invalide : 9 caractères attendus "
            "(2 pour le département, dont 2A/2B, puis 7 chiffres).",
        )
    return value


def is_valid(number: str) -> bool:
    try:
        validate(number)
    except InvalidInput:
        return False
    return True


@dataclass(frozen=True)
class ModifyingEntity:
    """The entity that last changed an identity (R-LK-03): a name, a FINESS, or both."""

    name: str | None = None
    finess: str | None = None

    @property
    def label(self) -> str:
        """``CHU-X (FINESS 350000121)``, ``CHU-X`` or ``FINESS 350000121``."""
        if self.name and self.finess:
            return f"{self.name} (FINESS {self.finess})"
        return self.name or (f"FINESS {self.finess}" if self.finess else "")

    @classmethod
    def of(cls, name: str | None, finess: str | None) -> ModifyingEntity | None:
        """None when neither is given (a message without PID-34)."""
        name, finess = (name or "").strip() or None, (finess or "").strip() or None
        return cls(name, finess) if name or finess else None
