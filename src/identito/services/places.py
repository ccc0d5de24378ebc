"""Use cases on the INSEE geographic reference: look a code up, search by name.

Geography errors are translated into domain errors here, so that every entry
point maps them the same way: an unknown code is ``NotFound``, a malformed code
or a code not valid on the date is ``InvalidInput`` (its message gives the period).
"""

from __future__ import annotations

from datetime import date

from identito.domain.errors import InvalidInput, NotFound
from identito.domain.permissions import Actor, Permission
from identito.geography import GeographicReference, GeographyError, Place, PlaceCheck
from identito.geography.errors import UnknownPlaceCode

MAX_SEARCH_RESULTS = 100


def lookup_place(
    code: str, on: date, *, actor: Actor, geography: GeographicReference
) -> PlaceCheck:
    """The place a birth place code designates on a date (with a warning if any)."""
    actor.require(Permission.PLACES_READ)
    try:
        return geography.lookup(code, on)
    except UnknownPlaceCode as error:
        raise NotFound(error.message) from None
    except GeographyError as error:
        raise InvalidInput.single("code", error.code, error.message) from None


def search_places(
    name: str, on: date | None, limit: int = 20, *, actor: Actor, geography: GeographicReference
) -> list[Place]:
    """Communes and countries whose name starts with ``name``, valid on ``on`` if given."""
    actor.require(Permission.PLACES_READ)
    if not name or not name.strip():
        message = "Saisissez le début du nom d'une commune ou d'un pays."
        raise InvalidInput.single("name", "required", message)
    return geography.search(name.strip(), on, max(1, min(limit, MAX_SEARCH_RESULTS)))
