"""INSEE geographic reference: birth place codes with their validity dates, name search.

Data: "Source : Insee, Code officiel géographique 2026" (Licence Ouverte 2.0), shipped
in ``data/`` and rebuilt with ``python -m identito.geography.build``.
"""

from identito.geography.errors import (
    GeographyError,
    InvalidPlaceCode,
    PlaceNotValidOnDate,
    UnknownPlaceCode,
)
from identito.geography.model import Place, PlaceCheck, PlaceKind
from identito.geography.reference import (
    UNKNOWN_PLACE_CODE,
    GeographicReference,
    get_reference,
    normalise_code,
)

__all__ = [
    "UNKNOWN_PLACE_CODE",
    "GeographicReference",
    "GeographyError",
    "InvalidPlaceCode",
    "Place",
    "PlaceCheck",
    "PlaceKind",
    "PlaceNotValidOnDate",
    "UnknownPlaceCode",
    "get_reference",
    "normalise_code",
]
