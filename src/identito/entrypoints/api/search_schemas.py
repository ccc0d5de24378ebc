"""Schemas of the anteriority search (issue 16): each identity with how close it answers."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from identito.domain.anteriority import AnteriorityMatch, DateMatch, NameMatch
from identito.domain.identity import Identity
from identito.domain.permissions import Actor
from identito.entrypoints.api.identity_schemas import IdentityPublic

_DATES: dict[DateMatch, Literal["exact", "swapped", "near", "in_range"]] = {
    DateMatch.EXACT: "exact",
    DateMatch.SWAPPED: "swapped",
    DateMatch.NEAR: "near",
    DateMatch.IN_RANGE: "in_range",
}
NameLevel = Literal["exact", "word", "start", "sound"]
_NAMES: dict[NameMatch, NameLevel] = {
    NameMatch.EXACT: "exact",
    NameMatch.WORD: "word",
    NameMatch.START: "start",
    NameMatch.SOUND: "sound",
}


class SearchMatch(BaseModel):
    """Why the identity answers: the closeness of each typed trait and the matching fields."""

    date: Literal["exact", "swapped", "near", "in_range"] = Field(
        description="Date exacte, jour et mois inversés, à un jour près, ou dans la période."
    )
    name: NameLevel | None = Field(
        description="Nom : entier, un mot du nom, début, phonétique (null : pas de nom saisi)."
    )
    first_name: NameLevel | None
    matched: list[str] = Field(description="Traits qui correspondent (à surligner).")
    labels: list[str] = Field(description="La proximité en français.")
    merged_id: UUID | None = Field(
        description="Identité fusionnée dans celle-ci dont les anciens traits correspondent."
    )


class AnteriorityItem(IdentityPublic):
    match: SearchMatch | None = Field(
        default=None, description="Absent pour une recherche par matricule INS."
    )

    @classmethod
    def of(cls, found: AnteriorityMatch, actor: Actor) -> AnteriorityItem:
        closeness = found.closeness
        match = SearchMatch(
            date=_DATES[closeness.date],
            name=_NAMES[closeness.name] if closeness.name is not None else None,
            first_name=_NAMES[closeness.first_name] if closeness.first_name is not None else None,
            matched=sorted(closeness.matched),
            labels=closeness.labels(),
            merged_id=found.merged.id if found.merged else None,
        )
        return cls(**IdentityPublic.render(found.identity, actor).model_dump(), match=match)

    @classmethod
    def plain(cls, identity: Identity, actor: Actor) -> AnteriorityItem:
        return cls(**IdentityPublic.render(identity, actor).model_dump())


class AnteriorityList(BaseModel):
    """Closest first."""

    items: list[AnteriorityItem]
