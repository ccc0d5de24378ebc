"""Anteriority search use case (issue 16): find the person whatever the typing.

``anteriority_query`` checks the typed fields; ``find_anteriority`` asks the
repository for the identities whose search keys answer (``domain.anteriority``),
ranks them, closest first, and notes the matricule reads. A merged identity found
by its old traits leads to its survivor.

Without a birth date, a search needs the name and first name with the birth year,
or a date range with a name or a first name: never a scan of the whole base.
"""

from __future__ import annotations

import re
from datetime import date

from identito.domain.anteriority import AnteriorityMatch, AnteriorityQuery, rank
from identito.domain.errors import FieldErrors, InvalidInput
from identito.domain.permissions import Actor, Permission
from identito.domain.traits import BirthDate, Sex, search_key
from identito.services.matricule_reads import note_reads
from identito.services.rules import Rules
from identito.services.unit_of_work import UnitOfWork

_YEAR = re.compile(r"^\d{4}$")
MAX_LIMIT = 200


def anteriority_query(
    *,
    birth_date: str | None = None,
    name: str | None = None,
    first_name: str | None = None,
    sex: str | None = None,
    birth_year: str | int | None = None,
    born_from: str | None = None,
    born_to: str | None = None,
    limit: int = 50,
) -> AnteriorityQuery:
    """Check the fields of an anteriority search; every fault reported at once."""
    errors = FieldErrors()
    born = _date(errors, "birth_date", birth_date)
    start = _date(errors, "born_from", born_from)
    end = _date(errors, "born_to", born_to)
    parsed_sex = None
    if sex:
        try:
            parsed_sex = Sex.parse(sex)
        except InvalidInput as error:
            errors.extend(error)
    for field, value in (("name", name), ("first_name", first_name)):
        if value and value.strip() and not search_key(value):
            errors.add(field, "no_letter", "Saisissez au moins une lettre.")
    has_name, has_first = bool(name and name.strip()), bool(first_name and first_name.strip())
    year = str(birth_year).strip() if birth_year not in (None, "") else ""
    if born is None and not errors.items:
        if year:
            if not _YEAR.match(year):
                errors.add("birth_year", "year_format", "L'année de naissance s'écrit AAAA.")
            elif not (has_name and has_first):
                message = "Avec l'année seule, saisissez le nom et le prénom."
                errors.add("birth_year", "year_needs_names", message)
            else:
                start, end = date(int(year), 1, 1), date(int(year), 12, 31)
        elif start is not None or end is not None:
            if not (has_name or has_first):
                message = "Avec une période, saisissez au moins le nom ou le prénom."
                errors.add("born_from", "range_needs_name", message)
            elif start is not None and end is not None and start > end:
                errors.add("born_to", "range_order", "La fin de la période précède son début.")
        else:
            message = (
                "La date de naissance est obligatoire pour chercher. Inconnue : saisissez "
                "l'année avec le nom et le prénom, ou une période."
            )
            errors.add("birth_date", "required", message)
    errors.raise_if_any()
    return AnteriorityQuery(
        birth_date=born,
        born_from=None if born else start,
        born_to=None if born else end,
        name=name.strip() if has_name and name else None,
        first_name=first_name.strip() if has_first and first_name else None,
        sex=parsed_sex,
        limit=max(1, min(limit, MAX_LIMIT)),
    )


def _date(errors: FieldErrors, field: str, value: str | None) -> date | None:
    if not value or not value.strip():
        return None
    try:
        return BirthDate.parse(value, field=field).value
    except InvalidInput as error:
        errors.extend(error)
        return None


def find_anteriority(
    query: AnteriorityQuery, *, uow: UnitOfWork, actor: Actor, rules: Rules
) -> list[AnteriorityMatch]:
    """The active identities answering the query, closest first."""
    actor.require(Permission.IDENTITY_SEARCH)
    with uow:
        found = rank(query, uow.identities.anteriority_candidates(query))
        note_reads([m.identity for m in found], uow=uow, actor=actor, rules=rules)
    return found
