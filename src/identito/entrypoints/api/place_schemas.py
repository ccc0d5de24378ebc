"""Schemas of the place routes (``entrypoints.api.places``): INSEE codes, ``*Public`` out."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from identito.geography import Place, PlaceCheck


class PlacePublic(BaseModel):
    code: str
    label: str
    kind: Literal["commune", "country", "territory"]
    valid_from: date | None
    valid_to: date | None = Field(description="Premier jour où le code n'est plus valide.")
    postal_codes: list[str]
    former_label: str | None

    @classmethod
    def render(cls, place: Place) -> PlacePublic:
        return cls(
            code=place.code,
            label=place.label,
            kind=place.kind.value,
            valid_from=place.valid_from,
            valid_to=place.valid_to,
            postal_codes=list(place.postal_codes),
            former_label=place.former_label,
        )


class PlaceCheckPublic(BaseModel):
    code: str
    on: date
    place: PlacePublic | None
    warning: str | None

    @classmethod
    def render(cls, check: PlaceCheck) -> PlaceCheckPublic:
        place = PlacePublic.render(check.place) if check.place else None
        return cls(code=check.code, on=check.on, place=place, warning=check.warning)


class PlaceList(BaseModel):
    items: list[PlacePublic]
