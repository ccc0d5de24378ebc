"""What an INSi ``00`` answer brings to the domain, and how its traits are taken in.

An answer is integrated only when it is complete (R-IN-08: birth name, first
names, sex, birth date, birth place code, matricule with its key, OID) and
never when its name, first names or sex is empty. Its traits replace the local
strict traits *as received* (IHE PAM FR §6.6.2): the list of birth first names is
``ListePrenom`` split on spaces (a compound first name keeps its hyphen), the
birth date keeps its ``00`` day or month. The first birth first name stays the
local one when it agrees with the received list, else it becomes the first of
the list and a note says so. Used name and used first name are never touched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from identito.domain.errors import DomainError, InvalidInput
from identito.domain.trait_set import Traits
from identito.domain.traits import (
    INSI_SEXES,
    BirthDate,
    NameKind,
    Sex,
    first_name_agrees,
    normalize_name,
    normalize_place_code,
)

T = TypeVar("T")


class CollectionMethod(StrEnum):
    """How the traits and matricule were collected (FR Core ``fr-core-cs-method-collection``)."""

    MANUAL = "SM"  # saisie manuelle
    VITALE_CARD = "CV"  # carte Vitale
    INSI = "INSI"  # téléservice INSi
    BARCODE = "CB"  # code à barres (DataMatrix INS)
    RFID = "RFID"

    @property
    def label(self) -> str:
        return COLLECTION_METHOD_LABELS[self]


COLLECTION_METHOD_LABELS = {
    CollectionMethod.MANUAL: "Saisie manuelle",
    CollectionMethod.VITALE_CARD: "Carte Vitale",
    CollectionMethod.INSI: "Téléservice INSi",
    CollectionMethod.BARCODE: "Code à barres (DataMatrix INS)",
    CollectionMethod.RFID: "Puce RFID",
}


class InsiOutcome(StrEnum):
    """The outcome of one INSi call: the return code of a search (00, 01, 02), the
    answer of a verification (OK, KO), or ``error`` when no usable answer came back.

    A teleservice search answers FOUND, NOT_FOUND or SEVERAL_FOUND; the trace of a call
    (``services.insi_records.InsiCall``) may hold any member."""

    FOUND = "00"
    NOT_FOUND = "01"
    SEVERAL_FOUND = "02"
    ERROR = "error"
    VERIFIED_OK = "OK"  # verification of an INS: the national bases confirm it
    VERIFIED_KO = "KO"  # verification of an INS: refused

    @property
    def label(self) -> str:
        return INSI_OUTCOME_LABELS[self]


INSI_OUTCOME_LABELS = {
    InsiOutcome.FOUND: "00 — identité trouvée",
    InsiOutcome.NOT_FOUND: "01 — aucune identité trouvée",
    InsiOutcome.SEVERAL_FOUND: "02 — plusieurs identités trouvées",
    InsiOutcome.ERROR: "Erreur",
    InsiOutcome.VERIFIED_OK: "Vérification : INS confirmé",
    InsiOutcome.VERIFIED_KO: "Vérification : INS non confirmé",
}
#: The outcomes of a search (recovery) call, in the order indicators list them.
SEARCH_OUTCOMES = (
    InsiOutcome.FOUND,
    InsiOutcome.NOT_FOUND,
    InsiOutcome.SEVERAL_FOUND,
    InsiOutcome.ERROR,
)


@dataclass(frozen=True)
class ReceivedIns:
    """One INSHISTO entry exactly as received (keys and dates are not re-checked)."""

    number: str
    oid: str
    start: str | None = None  # DateDeb
    end: str | None = None  # DateFin


@dataclass(frozen=True)
class InsiAnswer:
    """The identity part of a ``00`` answer (TIQ, INSACTIF, INSHISTO), as received."""

    birth_name: str
    first_names: str  # ListePrenom, space-separated
    sex: str
    birth_date: str
    birth_place_code: str | None
    ins_number: str
    oid: str
    history: tuple[ReceivedIns, ...] = ()


#: Answer field -> French label, in the order a message lists them.
REQUIRED_ANSWER_FIELDS = {
    "birth_name": "nom de naissance",
    "first_names": "prénoms",
    "sex": "sexe",
    "birth_date": "date de naissance",
    "birth_place_code": "code lieu de naissance",
    "ins_number": "matricule INS avec sa clé",
    "oid": "OID",
}


class IncompleteInsiAnswer(DomainError):
    """A ``00`` answer that lacks a mandatory element or breaks the INSi profile."""

    def __init__(self, problems: tuple[str, ...]) -> None:
        super().__init__(
            "Réponse INSi incomplète ou non conforme, rien n'est intégré : "
            + " ; ".join(problems)
            + "."
        )
        self.problems = problems


def check_complete(answer: InsiAnswer) -> None:
    """Raise ``IncompleteInsiAnswer`` naming every missing or malformed element."""
    problems = [
        f"{label} absent"
        for name, label in REQUIRED_ANSWER_FIELDS.items()
        if not (getattr(answer, name) or "").strip()
    ]
    number = (answer.ins_number or "").strip()
    if number and len(number) != 15:
        problems.append(f"matricule INS de {len(number)} caractères au lieu de 15 (clé comprise)")
    if (answer.sex or "").strip() and answer.sex not in INSI_SEXES:
        problems.append(f"sexe « {answer.sex} » (M ou F attendu)")
    if problems:
        raise IncompleteInsiAnswer(tuple(problems))


def received_traits(answer: InsiAnswer, local: Traits | None) -> tuple[Traits, tuple[str, ...]]:
    """The traits of a complete answer, as received, and notes for the user.

    Each received value must already be in the INSi profile (it is, by contract):
    a value the profile would change is refused rather than altered.
    """
    check_complete(answer)
    problems: list[str] = []
    birth_name = _as_received(answer.birth_name, "birth_name", NameKind.NAME, problems)
    names = tuple(
        _as_received(n, "first_names", NameKind.FIRST_NAME, problems)
        for n in answer.first_names.split(" ")
        if n
    )
    birth_date = _checked(lambda: BirthDate.parse(answer.birth_date), problems)
    place = answer.birth_place_code or ""
    if _checked(lambda: normalize_place_code(place), problems) not in (place, None):
        problems.append(f"code lieu de naissance « {place} » non conforme")
    if problems or birth_date is None:
        raise IncompleteInsiAnswer(tuple(problems))
    first, notes = _first_birth_first_name(local, names)
    traits = Traits(
        birth_name=birth_name,
        birth_first_names=names,
        first_birth_first_name=first,
        birth_date=birth_date,
        sex=Sex(answer.sex),
        birth_place_code=place,
        used_name=local.used_name if local else None,
        used_first_name=local.used_first_name if local else None,
    )
    return traits, notes


def _first_birth_first_name(
    local: Traits | None, names: tuple[str, ...]
) -> tuple[str, tuple[str, ...]]:
    if local is not None and first_name_agrees(local.first_birth_first_name, names):
        return local.first_birth_first_name, ()
    if local is None:
        return names[0], ()
    note = (
        f"Le 1er prénom de naissance « {local.first_birth_first_name} » ne correspond pas à la "
        f"liste renvoyée par INSi « {' '.join(names)} » : remplacé par « {names[0]} »."
    )
    return names[0], (note,)


def _as_received(value: str, field: str, kind: NameKind, problems: list[str]) -> str:
    try:
        if normalize_name(value, field=field, kind=kind) == value:
            return value
    except InvalidInput as error:
        problems.extend(e.message for e in error.errors)
        return value
    problems.append(f"« {value} » hors du profil de caractères INSi")
    return value


def _checked(parse: Callable[[], T], problems: list[str]) -> T | None:
    try:
        return parse()
    except InvalidInput as error:
        problems.extend(e.message for e in error.errors)
        return None
