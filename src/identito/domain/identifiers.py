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


#: OIDs of identifiers that look like an INS but are not one (R-TR-19, IHE France App. N
#: v1.8.2 §N.1, FR Core 2.2.0 ``fr-core-patient``): the legacy INS-C, computed from the
#: Vitale card (production, test and demo cards), and the billing NSS (NIR, NIA).
INS_C_OIDS = frozenset({"1.2.250.1.213.1.4.2", "1.2.250.1.213.1.4.6", "1.2.250.1.213.1.4.7"})
NSS_OIDS = frozenset({"1.2.250.1.213.1.4.13", "1.2.250.1.213.1.4.14"})


def not_an_ins(oid: str) -> str | None:
    """Why an identifier of this OID is never taken as a matricule INS (French), or None.

    R-TR-19: an INS-C (``…4.2``, ``.6``, ``.7``) is the legacy computed INS, not the
    NIR/NIA matricule; an NSS (``…4.13``, ``.14``) is the billing number (R-TR-20).
    Neither is ever stored as an INS-NIR or INS-NIA.

    >>> not_an_ins("1.2.250.1.213.1.4.2").startswith("L'OID 1.2.250.1.213.1.4.2 est celui")
    True
    >>> not_an_ins(Oid.NIA.value) is None
    True
    """
    oid = oid.strip().removeprefix("urn:oid:")
    if oid in INS_C_OIDS:
        return (
            f"L'OID {oid} est celui de l'INS-C (ancien INS calculé à partir de la carte "
            "Vitale) : ce n'est pas un matricule INS (NIR ou NIA) et il n'est jamais "
            "enregistré comme INS."
        )
    if oid in NSS_OIDS:
        return (
            f"L'OID {oid} est celui du NSS (numéro de sécurité sociale de facturation) : "
            "ce n'est pas un matricule INS et il n'est jamais enregistré comme INS."
        )
    return None


def _parse_oid(oid: str, allow_test_oids: bool) -> Oid:
    if (reason := not_an_ins(oid)) is not None:
        raise InvalidInput.single("ins.oid", "ins_oid_not_ins", reason)
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
