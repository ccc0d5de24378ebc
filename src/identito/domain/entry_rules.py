"""Strict traits are complete and plausible at entry (issue 11 §9).

Each rule below looks at the strict traits already parsed and returns a
*finding* (``FieldError``) when it is broken. ``trait_set.parse_traits`` decides
what a finding does:

* traits typed by a user (web form, API) are refused: the user is there to
  correct them;
* traits received from another system (HL7 v2 PID-5, FHIR, bulk import) are kept
  with a warning when they break a rule of plausibility (``PLAUSIBILITY_RULES``):
  refusing them would lose the message, and the identity stays provisional until
  someone checks it; a place code unknown at the birth date is refused as before;
* on a change of a stored identity, only the rules about the changed traits
  refuse: what was stored before is not refused again (a received birth place
  the local geography does not know, an empty list stored before this rule).

Rules and their sources:

* the list of birth first names is mandatory (RNIV 1 EXI ID 10, strict traits
  of the INS; R-TR-09), and the first birth first name is one or more whole first
  names taken from its start (R-TR-08, R-TR-09, R-MO-08);
* ``99100`` ("France" as a country) is not a birth place: a birth in France is
  coded by its commune (INSEE COG; R-TR-16); a commune divided into municipal
  arrondissements is refused by the place register (``adapters/places.py``);
* a birth date more than 120 years ago is confirmed explicitly (plausibility,
  issue 11 §9).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from identito.domain.errors import FieldError
from identito.domain.traits import BirthDate, first_name_agrees

#: INSEE country code of France: never a birth place (the commune is).
FRANCE_COUNTRY_CODE = "99100"
#: Rule of the place register refusing a whole commune divided into arrondissements.
WHOLE_COMMUNE_RULE = "place_whole_commune"
#: Rules of plausibility: they refuse typed traits and warn on received ones. Any other
#: finding (a place code the register does not know at the birth date) refuses both.
PLAUSIBILITY_RULES = frozenset(
    {
        "first_names_required",
        "first_name_disagrees",
        "place_france_as_country",
        WHOLE_COMMUNE_RULE,
        "birth_date_confirmation_required",
    }
)
#: A birth date older than this many years needs an explicit confirmation.
OLD_BIRTH_DATE_YEARS = 120

#: Which changed traits bring each finding's field under its rule again.
TRIGGERS: dict[str, frozenset[str]] = {
    "birth_first_names": frozenset({"birth_first_names", "first_birth_first_name"}),
    "first_birth_first_name": frozenset({"birth_first_names", "first_birth_first_name"}),
    "birth_place_code": frozenset({"birth_place_code", "birth_date"}),
    "birth_date": frozenset({"birth_date"}),
}


@dataclass(frozen=True)
class EntryFacts:
    """What the entry rules look at, parsed."""

    first_birth_first_name: str
    birth_first_names: tuple[str, ...]
    birth_date: BirthDate
    birth_place_code: str
    #: The place register's refusal of the code at the birth date, if any.
    place_refusal: FieldError | None = None


def first_names_findings(facts: EntryFacts) -> list[FieldError]:
    if not facts.birth_first_names:
        message = (
            "La liste des prénoms de naissance est obligatoire (trait strict) : saisissez "
            "tous les prénoms de l'état civil, dans l'ordre."
        )
        return [FieldError("birth_first_names", "first_names_required", message)]
    if not first_name_agrees(facts.first_birth_first_name, facts.birth_first_names):
        message = (
            f"Le 1er prénom de naissance « {facts.first_birth_first_name} » doit reprendre un "
            f"ou plusieurs prénoms entiers du début de la liste « "
            f"{' '.join(facts.birth_first_names)} » (un prénom composé est un seul prénom)."
        )
        return [FieldError("first_birth_first_name", "first_name_disagrees", message)]
    return []


def place_findings(facts: EntryFacts) -> list[FieldError]:
    if facts.birth_place_code == FRANCE_COUNTRY_CODE:
        message = (
            "Le code 99100 (France) n'est pas un lieu de naissance : pour une naissance en "
            "France, saisissez le code de la commune (de l'arrondissement à Paris, Lyon, "
            "Marseille)."
        )
        return [FieldError("birth_place_code", "place_france_as_country", message)]
    return [facts.place_refusal] if facts.place_refusal else []


def birth_date_findings(facts: EntryFacts, *, today: date, confirmed: bool) -> list[FieldError]:
    if confirmed or not is_old_birth_date(facts.birth_date.value, today):
        return []
    message = (
        f"La date de naissance {facts.birth_date.value:%d/%m/%Y} remonte à plus de "
        f"{OLD_BIRTH_DATE_YEARS} ans : confirmez-la explicitement si elle est exacte."
    )
    return [FieldError("birth_date", "birth_date_confirmation_required", message)]


def entry_findings(facts: EntryFacts, *, today: date, confirmed: bool) -> list[FieldError]:
    """Every entry rule broken by these traits (field, rule, French message)."""
    return [
        *first_names_findings(facts),
        *birth_date_findings(facts, today=today, confirmed=confirmed),
        *place_findings(facts),
    ]


def is_old_birth_date(birth: date, today: date) -> bool:
    """More than ``OLD_BIRTH_DATE_YEARS`` years before ``today``."""
    try:
        limit = today.replace(year=today.year - OLD_BIRTH_DATE_YEARS)
    except ValueError:  # 29 February
        limit = today.replace(year=today.year - OLD_BIRTH_DATE_YEARS, day=28)
    return birth < limit


def enforced(finding: FieldError, checked: frozenset[str], changed: frozenset[str] | None) -> bool:
    """Does this finding refuse? Not when none of its traits changed (``changed`` given, on
    a change); else a plausibility rule refuses when its traits are ``checked`` (typed), any
    other rule always."""
    triggers = TRIGGERS.get(finding.field, frozenset({finding.field}))
    if changed is not None and not triggers & changed:
        return False
    return finding.rule not in PLAUSIBILITY_RULES or bool(triggers & checked)
