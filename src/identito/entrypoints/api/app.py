"""The FastAPI application: ``create_app(bootstrap(settings))``.

``uvicorn --factory identito.entrypoints.api.app:app_from_settings`` serves it with
the settings read from the environment.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.openapi.utils import get_openapi

from identito.bootstrap import Container, bootstrap
from identito.entrypoints.api import (
    accounts,
    auth,
    duplicates,
    exports,
    fhir_write,
    health,
    identities,
    insi,
    merges,
    openapi,
    places,
    reception,
    verification,
)
from identito.entrypoints.api.deps import get_actor
from identito.entrypoints.api.errors import install_error_handlers
from identito.entrypoints.api.fhir import (
    FHIR_PREFIX,
    create_fhir_app,
    install_fhir_error_handlers,
)
from identito.entrypoints.api.limits import RequestLimitsMiddleware
from identito.entrypoints.api.middleware import SecurityHeadersMiddleware
from identito.entrypoints.api.schemas import Problem
from identito.entrypoints.logs import AccessLogMiddleware, install_log_redaction
from identito.entrypoints.scheduler import install_scheduler
from identito.entrypoints.warm_up import install_warm_up
from identito.entrypoints.web import install_web

API_PREFIX = "/api/v1"
DESCRIPTION = """\
Référentiel d'identités conforme INS. Toutes les routes sauf `/auth/token` et `/health`
exigent `Authorization: Bearer <jeton>`. Les erreurs suivent la RFC 9457
(`application/problem+json`) et listent chaque champ fautif.
"""


def create_app(container: Container) -> FastAPI:
    app = FastAPI(
        title="identito",
        summary="Référentiel d'identités patients conforme INS",
        description=DESCRIPTION,
        version="1",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.container = container
    install_error_handlers(app)
    install_fhir_error_handlers(app)  # POST/PUT /fhir/Patient: OperationOutcome
    app.add_middleware(RequestLimitsMiddleware, container=container)  # before reading a body
    app.add_middleware(
        SecurityHeadersMiddleware, hsts_max_age=container.settings.hsts_max_age_seconds
    )
    public = APIRouter(prefix=API_PREFIX)
    for module in (auth, health):  # the token route and the health check are public
        public.include_router(module.router)
    app.include_router(public)
    # Authenticated before any parameter or body is read: 401, not 422 or 428 (issue 13).
    api = APIRouter(prefix=API_PREFIX, dependencies=[Depends(get_actor)])
    for module in (accounts, identities, merges, insi, places, exports):
        api.include_router(module.router)
    api.include_router(duplicates.router)  # review worklist, decisions, collisions (issue 7)
    api.include_router(verification.router)  # INS verification (issue 5)
    api.include_router(reception.router)
    app.include_router(api)
    app.include_router(fhir_write.router)  # FHIR input: POST/PUT /fhir/Patient
    install_scheduler(app)
    install_warm_up(app)  # INSi simulator ready before the first call, start-up not blocked
    app.mount(FHIR_PREFIX, create_fhir_app(container))  # FHIR R4 read API (OperationOutcome)
    install_web(app)  # the web application in French, home page at "/"
    app.add_middleware(AccessLogMiddleware)  # outermost: the status finally sent
    install_log_redaction()
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The generated document with the edge answers (``openapi.complete``), plus the
    ``Problem`` schema the error responses name."""
    if app.openapi_schema is None:
        document = openapi.complete(
            get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                description=app.description,
                routes=app.routes,
            )
        )
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(problem.pop("$defs", {}))
        schemas["Problem"] = problem
        app.openapi_schema = document
    return app.openapi_schema


def app_from_settings() -> FastAPI:
    """Factory for ``uvicorn --factory``: settings from the environment."""
    return create_app(bootstrap())
