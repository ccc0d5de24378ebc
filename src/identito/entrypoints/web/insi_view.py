"""French labels of the INSi pages and the reading of the card form (no rule here)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from typing import Any
from uuid import UUID

from identito.domain.errors import FieldError, InvalidInput
from identito.domain.insi import SEARCH_OUTCOMES
from identito.entrypoints.web.forms import iso_date, text
from identito.entrypoints.web.rendering import shown_message, templates
from identito.services.insi_indicators import NonQualification

#: The outcomes of a search by code, in the order the indicators list them.
OUTCOME_LABELS = {outcome.value: outcome.label for outcome in SEARCH_OUTCOMES}
#: Reasons of non-qualification by code (the indicators' CSV and page).
REASON_LABELS = {reason.value: reason.label for reason in NonQualification}
#: Rows of beneficiaries in the card form (a Vitale card may carry several).
BENEFICIARY_ROWS = (1, 2, 3)

templates.env.globals.update(
    INSI_REASON_LABELS=REASON_LABELS,
    BENEFICIARY_ROWS=BENEFICIARY_ROWS,
)


def card_from(form: Mapping[str, Any]) -> dict[str, Any]:
    """The card data of the form: the holder's NIR and the chosen beneficiary.

    The form lists up to three beneficiaries (birth date, rank) as read on the card;
    with more than one, the user must say which one the call is for.
    """
    rows = {
        i: (iso_date(text(form, f"birth_date_{i}")), text(form, f"rank_{i}"))
        for i in BENEFICIARY_ROWS
        if text(form, f"birth_date_{i}") or text(form, f"rank_{i}")
    }
    chosen = text(form, "beneficiary")
    if len(rows) > 1:
        if chosen is None or not chosen.isdigit() or int(chosen) not in rows:
            message = "Cette carte porte plusieurs bénéficiaires : choisissez celui concerné."
            raise InvalidInput.single("beneficiary", "beneficiary_choice", message)
        birth_date, rank = rows[int(chosen)]
    elif rows:
        birth_date, rank = next(iter(rows.values()))
    else:
        birth_date, rank = None, None
    return {"nir": text(form, "card_nir"), "birth_date": birth_date, "rank": rank}


def form_errors(errors: Iterable[FieldError]) -> dict[str, list[str]]:
    """Messages by field of the INSi forms (``card.nir`` -> ``card_nir``...)."""
    names = {"card.nir": "card_nir", "card.birth_date": "birth_date_1", "card.rank": "rank_1"}
    by_field: dict[str, list[str]] = {}
    for error in errors:
        name = names.get(error.field, error.field.split("[")[0])
        by_field.setdefault(name, []).append(shown_message(error))
    return by_field


def ids_from_csv(content: bytes) -> list[UUID]:
    """Identity ids from the ``id`` column (or the first one) of an uploaded CSV."""
    try:
        decoded = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput.single(
            "file", "encoding", "Le fichier doit être encodé en UTF-8."
        ) from None
    lines = decoded.splitlines()
    delimiter = ";" if lines and lines[0].count(";") > lines[0].count(",") else ","
    rows = [row for row in csv.reader(lines, delimiter=delimiter) if any(c.strip() for c in row)]
    if not rows:
        raise InvalidInput.single("file", "empty", "Le fichier ne contient aucun identifiant.")
    header = [c.strip().lower() for c in rows[0]]
    column = header.index("id") if "id" in header else 0
    has_header = "id" in header or not _is_uuid(rows[0][column])
    ids, bad = [], []
    for number, row in enumerate(rows[1:] if has_header else rows, start=2 if has_header else 1):
        cell = row[column].strip() if column < len(row) else ""
        if _is_uuid(cell):
            ids.append(UUID(cell))
        else:
            bad.append(str(number))
    if bad:
        shown = ", ".join(bad[:10])
        raise InvalidInput.single("file", "ids", f"Identifiant invalide ligne(s) {shown}.")
    if not ids:
        raise InvalidInput.single("file", "empty", "Le fichier ne contient aucun identifiant.")
    return ids


def _is_uuid(value: str) -> bool:
    try:
        UUID(value.strip())
    except ValueError:
        return False
    return True
