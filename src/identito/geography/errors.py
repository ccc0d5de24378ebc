"""Errors of the geographic reference.

::

    GeographyError            .message (French, user-facing), .code (machine code)
    ├── InvalidPlaceCode      not a 5-character INSEE code
    ├── UnknownPlaceCode      the code exists in no file of the COG
    └── PlaceNotValidOnDate   the code exists, but not on that date (.periods)

``.place_code`` is the (normalised) code that was checked.
"""

from __future__ import annotations

from datetime import date, timedelta

Period = tuple[date | None, date | None, str]


def format_date(value: date) -> str:
    """French short date, ``12/03/1980``."""
    return value.strftime("%d/%m/%Y")


class GeographyError(Exception):
    code = "geography_error"

    def __init__(self, message: str, place_code: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.place_code = place_code


class InvalidPlaceCode(GeographyError):
    code = "invalid_place_code"

    def __init__(self, place_code: str) -> None:
        super().__init__(
            f"Le code lieu « {place_code} » n'est pas un code INSEE valide : il faut "
            "5 caractères, 5 chiffres ou 2A/2B suivi de 3 chiffres pour la Corse.",
            place_code,
        )


class UnknownPlaceCode(GeographyError):
    code = "unknown_place_code"

    def __init__(self, place_code: str) -> None:
        super().__init__(
            f"Le code {place_code} n'existe pas dans le Code officiel géographique "
            "de l'Insee (communes depuis 1943, pays et territoires).",
            place_code,
        )


class PlaceNotValidOnDate(GeographyError):
    code = "place_not_valid_on_date"

    def __init__(self, place_code: str, on: date, periods: list[Period]) -> None:
        self.periods = periods
        self.on = on
        super().__init__(_not_valid_message(place_code, on, periods), place_code)


def describe_period(start: date | None, end: date | None) -> str:
    """``du 01/01/1943 au 31/12/1975`` (the exclusive end shown as its last day)."""
    if start is not None and start == end:
        return f"à aucune date (période vide au {format_date(start)})"
    if end is None:
        return f"depuis le {format_date(start)}" if start else "sans limite de date"
    last_day = format_date(end - timedelta(days=1))
    return f"du {format_date(start)} au {last_day}" if start else f"jusqu'au {last_day}"


def _not_valid_message(place_code: str, on: date, periods: list[Period]) -> str:
    if len(periods) == 1:
        start, end, label = periods[0]
        verb = "est" if end is None else "n'était" if start == end else "était"
        return (
            f"Le code {place_code} ({label}) {verb} valide {describe_period(start, end)}, "
            f"pas le {format_date(on)}."
        )
    listed = " ; ".join(f"{label} {describe_period(s, e)}" for s, e, label in periods)
    return (
        f"Le code {place_code} n'était pas valide le {format_date(on)}. "
        f"Périodes de validité : {listed}."
    )
