"""INSEE geographic reference routes: lookup of a code at a date, search by name."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from identito.entrypoints.api.deps import ActorDep, ContainerDep
from identito.entrypoints.api.errors import problem_responses
from identito.entrypoints.api.schemas import PlaceCheckPublic, PlaceList, PlacePublic
from identito.services import places as service

router = APIRouter(prefix="/places", tags=["lieux de naissance"])


@router.get(
    "",
    response_model=PlaceList,
    responses=problem_responses(401, 403, 422),
    summary="Chercher une commune ou un pays par le début de son nom",
)
def search_places(
    actor: ActorDep,
    container: ContainerDep,
    name: Annotated[str, Query(description="Début du nom (accents, tirets, casse ignorés)")],
    on: Annotated[date | None, Query(description="Valides à cette date (AAAA-MM-JJ)")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> PlaceList:
    found = service.search_places(name, on, limit, actor=actor, geography=container.geography)
    return PlaceList(items=[PlacePublic.render(p) for p in found])


@router.get(
    "/{code}",
    response_model=PlaceCheckPublic,
    responses=problem_responses(401, 403, 404, 422),
    summary="Ce que désigne un code lieu à une date (validité, avertissement)",
)
def lookup_place(
    code: str,
    actor: ActorDep,
    container: ContainerDep,
    on: Annotated[date, Query(description="Date de naissance (AAAA-MM-JJ)")],
) -> PlaceCheckPublic:
    check = service.lookup_place(code, on, actor=actor, geography=container.geography)
    return PlaceCheckPublic.render(check)
