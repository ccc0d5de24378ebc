"""Reading the posted forms into the plain dictionaries the services take."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from identito.domain.documents import DocumentCheck
from identito.domain.errors import FieldError, InvalidInput
from identito.domain.trait_set import TRAIT_FIELDS

#: The checkbox confirming a birth date over 120 years (shown once the domain asks for it).
CONFIRM_BIRTH_DATE = "confirmer_date"

_FRENCH_DATE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$", re.ASCII)


def iso_date(text: str | None) -> str | None:
    """``14/03/1985`` -> ``1985-03-14`` (``00`` kept); anything else is passed on as typed,
    so that the domain reports what is wrong with it."""
    if text is None or not text.strip():
        return None
    match = _FRENCH_DATE.match(text)
    if match:
        day, month, year = match.groups()
        return f"{year}-{int(month):02d}-{int(day):02d}"
    return text.strip()


def text(form: Mapping[str, Any], name: str) -> str | None:
    value = form.get(name)
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip()


def traits_from(form: Mapping[str, Any], fields: Iterable[str] = TRAIT_FIELDS) -> dict[str, Any]:
    """The trait fields of a form; an empty field is ``None`` (never a default)."""
    data: dict[str, Any] = {}
    for name in fields:
        value = text(form, name)
        data[name] = iso_date(value) if name == "birth_date" else value
    return data


def typed_values(form: Mapping[str, Any]) -> dict[str, str]:
    """What the user typed, to show it again next to the error messages."""
    return {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}


def birth_date_confirmed(form: Mapping[str, Any]) -> bool:
    return form.get(CONFIRM_BIRTH_DATE) == "1"


def asks_birth_date_confirmation(errors: Iterable[FieldError]) -> bool:
    """The domain refused an unconfirmed birth date over 120 years: show the checkbox."""
    return any(e.rule == "birth_date_confirmation_required" for e in errors)


def document_from(form: Mapping[str, Any]) -> DocumentCheck | None:
    """The document checked again in the same change (``document_type``, ``document_expiry``);
    None when neither is filled."""
    code, expiry_text = text(form, "document_type"), text(form, "document_expiry")
    if not (code or expiry_text):
        return None
    try:
        expiry = date.fromisoformat(iso_date(expiry_text) or "") if expiry_text else None
    except ValueError:
        message = "Date attendue (JJ/MM/AAAA)."
        raise InvalidInput.single("document_expiry", "date_format", message) from None
    return DocumentCheck(code, expiry)
