"""Matricule INS (NIR or NIA) and the OID of its assigning authority.

A matricule INS is 15 characters: 13 (NIR or NIA, built the same way, Corsica
``2A``/``2B`` at positions 6-7) followed by a 2-digit key, ``97 - (number mod 97)``
with ``2A`` read as 19 and ``2B`` as 18. python-stdnum's ``stdnum.fr.nir`` checks
length and key. The kind (NIR, NIA, test or demo NIR) is told by the OID, never by
the digits (source: IHE France constraints §N.1; FR Core ``FRCorePatientINS``).

>>> InsNumber.parse("2 95 10 99 126 111 93").number
'295109912611193'
>>> Ins.parse("180032B02040123", Oid.NIR.value).kind
<InsKind.NIR: 'NIR'>
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength, ValidationError
from stdnum.fr import nir

from identito.domain.errors import InvalidInput


class InsKind(StrEnum):
    NIR = "NIR"
    NIA = "NIA"
    NIR_TEST = "NIR_TEST"
    NIR_DEMO = "NIR_DEMO"

    @property
    def label(self) -> str:
        return INS_KIND_LABELS[self]


INS_KIND_LABELS = {
    InsKind.NIR: "NIR",
    InsKind.NIA: "NIA (numéro identifiant d'attente)",
    InsKind.NIR_TEST: "NIR de test",
    InsKind.NIR_DEMO: "NIR de démonstration",
}


class Oid(StrEnum):
    """Assigning authorities of the matricule INS."""

    NIR = "1.2.250.1.213.1.4.8"
    NIA = "1.2.250.1.213.1.4.9"
    NIR_TEST = "1.2.250.1.213.1.4.10"
    NIR_DEMO = "1.2.250.1.213.1.4.11"

    @property
    def kind(self) -> InsKind:
        return InsKind[self.name]

    @property
    def is_test(self) -> bool:
        return self in (Oid.NIR_TEST, Oid.NIR_DEMO)


@dataclass(frozen=True)
class InsNumber:
    """The 15-character matricule: 13 characters and their key."""

    number: str

    @classmethod
    def parse(cls, value: str, *, field: str = "ins.number") -> InsNumber:
        compact = nir.compact(value or "")
        try:
            return cls(nir.validate(compact))
        except InvalidLength:
            message = (
                f"Le matricule INS doit compter 15 caractères, clé comprise "
                f"(reçu : {len(compact)})."
            )
            raise InvalidInput.single(field, "ins_length", message) from None
        except InvalidChecksum:
            expected = nir.calc_check_digits(compact[:13])
            message = f"La clé du matricule INS est fausse (attendue : {expected})."
            raise InvalidInput.single(field, "ins_key", message) from None
        except (InvalidFormat, ValidationError):
            message = (
                "Le matricule INS ne contient que des chiffres, "
                "avec 2A ou 2B en positions 6-7 pour la Corse."
            )
            raise InvalidInput.single(field, "ins_format", message) from None

    def __str__(self) -> str:
        return self.number


@dataclass(frozen=True)
class Ins:
    """A matricule INS with its OID: the two always travel together."""

    number: InsNumber
    oid: Oid

    @property
    def kind(self) -> InsKind:
        return self.oid.kind

    @classmethod
    def parse(cls, number: str, oid: str, *, allow_test_oids: bool = False) -> Ins:
        return cls(InsNumber.parse(number), _parse_oid(oid, allow_test_oids))

    @classmethod
    def parse_received(
        cls, number: str, oid: str, *, allow_test_oids: bool = False
    ) -> tuple[Ins, str | None]:
        """A matricule as INSi returned it, with a warning when its key fails mod 97.

        Length, characters and OID are checked as in ``parse``; a key that fails the
        NIR rule is kept as received (the CNDA test service returns such keys, see
        REQUIREMENTS §4), so the national answer is never refused on a key alone.

        >>> Ins.parse_received("181036322045660", Oid.NIR.value)[1] is not None
        True
        """
        parsed_oid = _parse_oid(oid, allow_test_oids)
        try:
            return cls(InsNumber.parse(number), parsed_oid), None
        except InvalidInput as error:
            if error.errors[0].rule != "ins_key":
                raise
        compact = nir.compact(number)
        expected = nir.calc_check_digits(compact[:13])
        warning = (
            f"La clé du matricule INS renvoyé par INSi ({compact[13:]}) ne suit pas la règle "
            f"de calcul (attendue : {expected}) : matricule conservé tel que reçu."
        )
        return cls(InsNumber(compact), parsed_oid), warning


def _parse_oid(oid: str, allow_test_oids: bool) -> Oid:
    try:
        parsed_oid = Oid(oid)
    except ValueError:
        known = ", ".join(o.value for o in Oid)
        message = f"OID inconnu « {oid} » ; valeurs admises : {known}."
        raise InvalidInput.single("ins.oid", "ins_oid", message) from None
    if parsed_oid.is_test and not allow_test_oids:
        message = (
            "Les OID de test et de démonstration ne sont acceptés "
            "que par une instance en mode test."
        )
        raise InvalidInput.single("ins.oid", "ins_test_oid", message)
    return parsed_oid
