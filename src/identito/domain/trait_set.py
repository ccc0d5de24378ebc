"""The set of traits of one identity, parsed from user or system input.

``parse_traits`` checks every field and reports all faulty fields at once.
Used name and used first name are never filled from the birth traits. The rules
of entry (``entry_rules``) refuse typed traits and warn on received ones;
``parse_changed_traits`` enforces them on the changed traits only.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from identito.domain.entry_rules import EntryFacts, enforced, entry_findings
from identito.domain.errors import FieldError, FieldErrors, InvalidInput
from identito.domain.traits import (
    UNKNOWN_BIRTH_PLACE,
    BirthDate,
    NameKind,
    Sex,
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
#: Required fields (``required`` rule); the list of birth first names is required by the
#: entry rules (``first_names_required``), which only warn on received traits.
MANDATORY_FIELDS = ("birth_name", "first_birth_first_name", "birth_date", "sex", "birth_place_code")
#: ``parse_traits(enforce=...)``: traits typed by a user (web, API), every entry rule refuses.
TYPED_ENTRY: frozenset[str] = frozenset(STRICT_FIELDS)
#: Traits received from another system (HL7 v2, FHIR, bulk import): plausibility rules warn.
RECEIVED_ENTRY: frozenset[str] = frozenset()


class BirthPlaceRegister(Protocol):
    """Checks a birth place code at a birth date (implemented by ``geography``)."""

    def check_birth_place(self, code: str, on: date) -> str | None:
        """Return a warning, or None; raise ``InvalidInput`` when the code is refused."""
        ...


class WarningCode(StrEnum):
    FIRST_NAME_DISAGREES = "first_name_disagrees"
    FIRST_NAMES_MISSING = "first_names_missing"
    OLD_BIRTH_DATE = "old_birth_date"
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
    # one first name per space, as INSi's ListePrenom: a hyphenated first name stays whole
    items = raw.split(" ") if isinstance(raw, str) else " ".join(map(str, raw or ())).split(" ")
    kept = [item for item in items if item.strip()]
    names = [
        _checked(_name_parser(f"birth_first_names[{i}]", NameKind.FIRST_NAME), item, errors)
        for i, item in enumerate(kept)
    ]
    return tuple(n for n in names if n)


def parse_traits(
    data: Mapping[str, Any],
    *,
    today: date,
    places: BirthPlaceRegister,
    enforce: Collection[str] = TYPED_ENTRY,
    old_birth_date_confirmed: bool = False,
    changed: Collection[str] | None = None,
) -> tuple[Traits, tuple[IdentityWarning, ...]]:
    """Build traits from raw input with their warnings.

    Raises ``InvalidInput`` listing every faulty field. The rules of plausibility
    (``entry_rules``: list of first names, agreement of the first one, ``99100``, a
    whole commune with arrondissements, birth date over 120 years unconfirmed)
    refuse when their field is in ``enforce`` (``TYPED_ENTRY``) and become warnings
    otherwise (``RECEIVED_ENTRY``). With ``changed`` (a change of stored traits), no
    rule refuses on traits that did not change: it warns.
    """
    errors, checked = FieldErrors(), frozenset(enforce)
    moved = None if changed is None else frozenset(changed)
    traits, place_warning, place_refusal = _parse_fields(data, today, places, errors)
    if traits is None:
        if place_refusal and enforced(place_refusal, checked, moved):
            errors.items.append(place_refusal)
        errors.raise_if_any()
    assert traits is not None
    facts = EntryFacts(
        traits.first_birth_first_name,
        traits.birth_first_names,
        traits.birth_date,
        traits.birth_place_code,
        place_refusal,
    )
    findings = entry_findings(facts, today=today, confirmed=old_birth_date_confirmed)
    refused = [f for f in findings if enforced(f, checked, moved)]
    if refused:
        raise InvalidInput(refused)
    return traits, trait_warnings(traits, place_warning) + tuple(map(_as_warning, findings))


def parse_changed_traits(
    stored: Traits,
    changes: Mapping[str, Any],
    *,
    today: date,
    places: BirthPlaceRegister,
    old_birth_date_confirmed: bool = False,
) -> tuple[Traits, tuple[IdentityWarning, ...]]:
    """The stored traits with ``changes``: entry rules refuse on the changed traits only.

    What was stored is not refused again (an INSi birth place the local geography
    refuses, an empty list of first names stored before the rule): a change of any
    other field goes through, the finding stays a warning.
    """
    merged = {**stored.as_dict(), **changes}
    lenient, _ = parse_traits(merged, today=today, places=places, changed=())
    traits, warnings = parse_traits(
        merged,
        today=today,
        places=places,
        changed=_kept_list(stored, lenient).changed_fields(stored),
        old_birth_date_confirmed=old_birth_date_confirmed,
    )
    return _kept_list(stored, traits), warnings


def _kept_list(stored: Traits, traits: Traits) -> Traits:
    """The stored list when only its splitting differs (an item holding a space, stored
    before lists were split on spaces): an unchanged list is never a strict change."""
    same = " ".join(stored.birth_first_names) == " ".join(traits.birth_first_names)
    return replace(traits, birth_first_names=stored.birth_first_names) if same else traits


_FINDING_WARNINGS = {
    "birth_first_names": WarningCode.FIRST_NAMES_MISSING,
    "first_birth_first_name": WarningCode.FIRST_NAME_DISAGREES,
    "birth_date": WarningCode.OLD_BIRTH_DATE,
    "birth_place_code": WarningCode.BIRTH_PLACE,
}


def _as_warning(finding: FieldError) -> IdentityWarning:
    return IdentityWarning(_FINDING_WARNINGS[finding.field], finding.message)


def _parse_fields(
    data: Mapping[str, Any], today: date, places: BirthPlaceRegister, errors: FieldErrors
) -> tuple[Traits | None, str | None, FieldError | None]:
    """The traits (None if a field is faulty), the register's warning or refusal of the place."""

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
    place_warning, refusal = None, None
    if place and birth_date and place != UNKNOWN_BIRTH_PLACE:
        try:
            place_warning = places.check_birth_place(place, birth_date.value)
        except InvalidInput as error:
            refusal = error.errors[0]
    if not (birth_name and first and birth_date and sex and place) or errors.items:
        return None, place_warning, refusal
    traits = Traits(birth_name, first_names, first, birth_date, sex, place, used_name, used_first)
    return traits, place_warning, refusal


def trait_warnings(traits: Traits, place_warning: str | None) -> tuple[IdentityWarning, ...]:
    """Warnings carried by an identity with these traits (the entry rules' are added
    by ``parse_traits``; INSi's traits break none of them)."""
    warnings: list[IdentityWarning] = []
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
