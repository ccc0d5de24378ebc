"""Liveness and database connectivity (no authentication)."""

from __future__ import annotations

import logging

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from identito.entrypoints.api.deps import ContainerDep
from identito.entrypoints.api.errors import problem, problem_responses
from identito.entrypoints.api.schemas import HealthPublic

router = APIRouter(tags=["supervision"])
logger = logging.getLogger(__name__)


@router.get(
    "/health",
    response_model=HealthPublic,
    responses=problem_responses(503),
    summary="État du service",
)
def health(container: ContainerDep) -> HealthPublic | JSONResponse:
    try:
        with container.uow_factory() as uow:
            uow.users.get("")
    except Exception:
        logger.exception("health check: database unreachable")
        return problem(503, "La base de données est injoignable.")
    return HealthPublic(status="ok", database="ok")
