"""The set of traits of one identity, parsed from user or system input.

``parse_traits`` checks every field and reports all faulty fields at once.
Used name and used first name are never filled from the birth traits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from identito.domain.errors import FieldErrors, InvalidInput
from identito.domain.traits import (
    UNKNOWN_BIRTH_PLACE,
    BirthDate,
    NameKind,
    Sex,
    first_name_agrees,
    normalize_name,
    normalize_place_code,
)

T = TypeVar("T")

#: The strict traits, compared with INSi (the first birth first name included).
STRICT_FIELDS = (
    "birth_name",
    "birth_first_names",
    "first_birth_first_name",
    "birth_date",
    "sex",
    "birth_place_code",
)
COMPLEMENTARY_FIELDS = ("used_name", "used_first_name")
TRAIT_FIELDS = STRICT_FIELDS + COMPLEMENTARY_FIELDS
#: Mandatory at creation; the list of birth first names may be completed later.
MANDATORY_FIELDS = ("birth_name", "first_birth_first_name", "birth_date", "sex", "birth_place_code")


class BirthPlaceRegister(Protocol):
    """Checks a birth place code at a birth date (implemented by ``geography``)."""

    def check_birth_place(self, code: str, on: date) -> str | None:
        """Return a warning, or None; raise ``InvalidInput`` when the code is refused."""
        ...


class WarningCode(StrEnum):
    FIRST_NAME_DISAGREES = "first_name_disagrees"
    UNCERTAIN_BIRTH_DATE = "uncertain_birth_date"
    UNKNOWN_BIRTH_PLACE = "unknown_birth_place"
    BIRTH_PLACE = "birth_place"
    INS_KEY = "ins_key"  # a matricule received from INSi whose key fails mod 97


@dataclass(frozen=True)
class IdentityWarning:
    code: WarningCode
    message: str


@dataclass(frozen=True)
class Traits:
    birth_name: str
    birth_first_names: tuple[str, ...]
    first_birth_first_name: str
    birth_date: BirthDate
    sex: Sex
    birth_place_code: str
    used_name: str | None = None
    used_first_name: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (audit rows, API); ``birth_date_corrected`` only when set, so
        snapshots written before the indicator existed still compare equal."""
        return {
            "birth_name": self.birth_name,
            "birth_first_names": list(self.birth_first_names),
            "first_birth_first_name": self.first_birth_first_name,
            "birth_date": self.birth_date.raw,
            "sex": self.sex.value,
            "birth_place_code": self.birth_place_code,
            "used_name": self.used_name,
            "used_first_name": self.used_first_name,
        } | ({"birth_date_corrected": True} if self.birth_date.corrected else {})

    def changed_fields(self, other: Traits) -> tuple[str, ...]:
        return tuple(f for f in TRAIT_FIELDS if getattr(self, f) != getattr(other, f))


def _checked(parse: Callable[[Any], T], raw: Any, errors: FieldErrors) -> T | None:
    try:
        return parse(raw)
    except InvalidInput as error:
        errors.extend(error)
        return None


def _name_parser(field: str, kind: NameKind) -> Callable[[Any], str]:
    return lambda raw: normalize_name(str(raw), field=field, kind=kind)


def _first_names(raw: Any, errors: FieldErrors) -> tuple[str, ...]:
    items = raw.split(" ") if isinstance(raw, str) else (raw or ())
    kept = [str(item) for item in items if str(item).strip()]
    names = [
        _checked(_name_parser(f"birth_first_names[{i}]", NameKind.FIRST_NAME), item, errors)
        for i, item in enumerate(kept)
    ]
    return tuple(n for n in names if n)


def parse_traits(
    data: Mapping[str, Any], *, today: date, places: BirthPlaceRegister
) -> tuple[Traits, tuple[IdentityWarning, ...]]:
    """Build traits from raw input with their warnings.

    Raises ``InvalidInput`` listing every faulty field; a birth place refused at
    the birth date is one of them.
    """
    errors = FieldErrors()

    def required(field: str, parse: Callable[[Any], T]) -> T | None:
        raw = data.get(field)
        if raw is None or not str(raw).strip():
            errors.add(field, "required", "Ce champ est obligatoire.")
            return None
        return _checked(parse, raw, errors)

    def optional(field: str, kind: NameKind) -> str | None:
        raw = data.get(field)
        if raw is None or not str(raw).strip():
            return None
        return _checked(_name_parser(field, kind), raw, errors)

    birth_name = required("birth_name", _name_parser("birth_name", NameKind.NAME))
    first = required(
        "first_birth_first_name", _name_parser("first_birth_first_name", NameKind.FIRST_NAME)
    )
    first_names = _first_names(data.get("birth_first_names"), errors)
    corrected = data.get("birth_date_corrected") in (True, "true", "on", "1", "Y")
    birth_date = required(
        "birth_date", lambda v: BirthDate.parse(str(v), today=today, corrected=corrected)
    )
    sex = required("sex", lambda v: Sex.parse(str(v)))
    place = required("birth_place_code", lambda v: normalize_place_code(str(v)))
    used_name = optional("used_name", NameKind.NAME)
    used_first = optional("used_first_name", NameKind.FIRST_NAME)
    place_warning = None
    if place and birth_date and place != UNKNOWN_BIRTH_PLACE:
        place_warning = _checked(
            lambda code: places.check_birth_place(code, birth_date.value), place, errors
        )
    errors.raise_if_any()
    assert birth_name and first and birth_date and sex and place
    traits = Traits(birth_name, first_names, first, birth_date, sex, place, used_name, used_first)
    return traits, trait_warnings(traits, place_warning)


def trait_warnings(traits: Traits, place_warning: str | None) -> tuple[IdentityWarning, ...]:
    """Warnings carried by an identity with these traits."""
    warnings: list[IdentityWarning] = []
    if not first_name_agrees(traits.first_birth_first_name, traits.birth_first_names):
        warnings.append(
            IdentityWarning(
                WarningCode.FIRST_NAME_DISAGREES,
                f"Le 1er prénom de naissance « {traits.first_birth_first_name} » ne correspond pas "
                f"au début de la liste des prénoms « {' '.join(traits.birth_first_names)} ».",
            )
        )
    if traits.birth_date.corrected and not traits.birth_date.exceptional:
        warnings.append(
            IdentityWarning(
                WarningCode.UNCERTAIN_BIRTH_DATE,
                f"Date de naissance {traits.birth_date.value:%d/%m/%Y} corrigée (date incertaine).",
            )
        )
    elif traits.birth_date.uncertain:
        warnings.append(
            IdentityWarning(
                WarningCode.UNCERTAIN_BIRTH_DATE,
                f"Date de naissance exceptionnelle {traits.birth_date.raw}, complétée en "
                f"{traits.birth_date.value:%d/%m/%Y} (date incertaine).",
            )
        )
    if traits.birth_place_code == UNKNOWN_BIRTH_PLACE:
        warnings.append(
            IdentityWarning(WarningCode.UNKNOWN_BIRTH_PLACE, "Lieu de naissance inconnu (99999).")
        )
    if place_warning:
        warnings.append(IdentityWarning(WarningCode.BIRTH_PLACE, place_warning))
    return tuple(warnings)
