"""Raw inputs of the identity use cases checked and parsed, before any unit of work.

Pure functions: a collection method, the fields of a search, identity attributes.
Every faulty field is reported at once (``InvalidInput``), as the domain does.
"""

from __future__ import annotations

from collections.abc import Iterable

from identito.domain.errors import FieldErrors, InvalidInput
from identito.domain.insi import CollectionMethod
from identito.domain.nss import search_number
from identito.domain.status import IdentityAttribute
from identito.domain.traits import BirthDate, Sex, search_key
from identito.services.unit_of_work import SearchCriteria

#: Collection methods a creation may declare; ``INSI`` only through ``create_identity_from_insi``.
CREATION_METHODS = (
    CollectionMethod.MANUAL,
    CollectionMethod.BARCODE,
    CollectionMethod.VITALE_CARD,
    CollectionMethod.RFID,
)


def creation_method(value: str | CollectionMethod | None) -> CollectionMethod:
    """The collection method of a creation: one of ``CREATION_METHODS``; empty means ``SM``."""
    text = (value or "").strip().upper()
    if not text:
        return CollectionMethod.MANUAL
    allowed = {m.value: m for m in CREATION_METHODS}
    if text not in allowed:
        codes = ", ".join(allowed)
        message = f"Mode de recueil inconnu « {value} » ; modes admis : {codes}."
        raise InvalidInput.single("collection_method", "collection_method_unknown", message)
    return allowed[text]


def search_criteria(
    *,
    birth_date: str | None,
    name: str | None,
    first_name: str | None,
    sex: str | None,
    ins: str | None,
    nss: str | None = None,
    limit: int = 50,
) -> SearchCriteria:
    """Check the search fields: birth date required unless searching by matricule INS
    or by billing NSS (R-AS-04, exact)."""
    errors = FieldErrors()
    if nss and not ins:
        number = search_number(nss)
        if len(number) != 15:
            errors.add("nss", "nss_length", "Le NSS compte 15 caractères, clé comprise.")
        errors.raise_if_any()
        return SearchCriteria(nss_number=number, limit=max(1, min(limit, 200)))
    if ins:
        number = "".join(ins.split()).upper()
        if len(number) != 15:
            errors.add("ins", "ins_length", "Le matricule INS compte 15 caractères, clé comprise.")
        errors.raise_if_any()
        return SearchCriteria(ins_number=number, limit=max(1, min(limit, 200)))
    parsed_date = None
    if not birth_date:
        errors.add("birth_date", "required", "La date de naissance est obligatoire pour chercher.")
    else:
        try:
            parsed_date = BirthDate.parse(birth_date).value
        except InvalidInput as error:
            errors.extend(error)
    parsed_sex = None
    if sex:
        try:
            parsed_sex = Sex.parse(sex)
        except InvalidInput as error:
            errors.extend(error)
    keys = {}
    for field, value in (("name", name), ("first_name", first_name)):
        keys[field] = search_key(value) if value and value.strip() else None
        if value and value.strip() and not keys[field]:
            errors.add(field, "no_letter", "Saisissez au moins une lettre.")
    errors.raise_if_any()
    return SearchCriteria(
        birth_date=parsed_date,
        name_key=keys["name"],
        first_name_key=keys["first_name"],
        sex=parsed_sex,
        limit=max(1, min(limit, 200)),
    )


def parse_attributes(values: Iterable[str], field: str) -> list[IdentityAttribute]:
    """Identity attributes from their codes; an unknown one is reported as ``field[i]``."""
    errors = FieldErrors()
    parsed = []
    for i, value in enumerate(values):
        try:
            parsed.append(IdentityAttribute(str(value).strip().upper()))
        except ValueError:
            errors.add(f"{field}[{i}]", "attribute_unknown", "Attribut inconnu (DOUT, FICT, HOMA).")
    errors.raise_if_any()
    return parsed
