"""The read-only FHIR R4 API (FR Core 2.2.0), mounted at ``/fhir``.

``GET /fhir/metadata``, ``GET /fhir/Patient/{id}``, ``GET /fhir/Patient?birthdate=
&family=&given=&gender=&identifier=``. Same bearer tokens as the API; every error
is an ``OperationOutcome``. Each returned Patient is an audited diffusion.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from identito.bootstrap import Container
from identito.domain.errors import (
    DomainError,
    InvalidInput,
    InvalidTransition,
    NotFound,
    PermissionDenied,
)
from identito.domain.nss import NssOid
from identito.entrypoints.api.deps import ActorDep, RulesDep, UowDep, get_actor
from identito.messages import fhir
from identito.services import diffusion as service
from identito.services.auth import AuthenticationFailed

FHIR_PREFIX = "/fhir"
_GENDERS = {"male": "M", "female": "F", "unknown": "I"}
#: domain error -> (HTTP status, FHIR issue-type code)
_OUTCOMES: tuple[tuple[type[Exception], int, str], ...] = (
    (AuthenticationFailed, 401, "login"),
    (PermissionDenied, 403, "forbidden"),
    (NotFound, 404, "not-found"),
    (InvalidTransition, 409, "business-rule"),
    (InvalidInput, 400, "invalid"),
)


def fhir_outcome(status: int, code: str, detail: str) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    body = fhir.operation_outcome(code, detail)
    return JSONResponse(body, status, headers=headers, media_type=fhir.FHIR_JSON)


def _domain(request: Request, error: Exception) -> JSONResponse:
    for kind, status, code in _OUTCOMES:
        if isinstance(error, kind):
            return fhir_outcome(status, code, getattr(error, "message", str(error)))
    return fhir_outcome(400, "processing", str(error))


def _http(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    code = "not-found" if error.status_code == 404 else "not-supported"
    return fhir_outcome(
        error.status_code, code, f"{request.method} {request.url.path} : {error.detail}"
    )


def _validation(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    detail = "; ".join(f"{'.'.join(map(str, e['loc']))} : {e['msg']}" for e in error.errors())
    return fhir_outcome(400, "invalid", detail)


_FHIR_HANDLERS = (
    (DomainError, _domain),
    (StarletteHTTPException, _http),
    (RequestValidationError, _validation),
)


def install_fhir_error_handlers(app: FastAPI) -> None:
    """On the main application, where ``POST``/``PUT /fhir/Patient`` live: their errors
    (401 without a token included) are ``OperationOutcome``, other paths keep theirs."""
    for kind, fhir_handler in _FHIR_HANDLERS:
        app.add_exception_handler(kind, _fhir_or(fhir_handler, app.exception_handlers.get(kind)))


def _fhir_or(fhir_handler: Callable[[Request, Exception], JSONResponse], other: Any) -> Any:
    async def handler(request: Request, error: Exception) -> Any:
        if request.url.path.startswith(FHIR_PREFIX + "/") or other is None:
            return fhir_handler(request, error)
        result = other(request, error)
        return await result if hasattr(result, "__await__") else result

    return handler


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + FHIR_PREFIX


def _fhir_json(body: dict[str, Any]) -> JSONResponse:
    return JSONResponse(body, media_type=fhir.FHIR_JSON)


def create_fhir_app(container: Container) -> FastAPI:
    app = FastAPI(title="identito FHIR", openapi_url=None, docs_url=None, redoc_url=None)
    app.state.container = container
    for kind, handler in _FHIR_HANDLERS:
        app.add_exception_handler(kind, handler)
    authenticated = [Depends(get_actor)]  # 401 before any search parameter is read

    @app.get("/metadata")
    def metadata(request: Request, rules: RulesDep) -> JSONResponse:
        return _fhir_json(fhir.capability_statement(_base(request), rules.now(), "0.1.0"))

    @app.get("/Patient/{patient_id}", dependencies=authenticated)
    def read_patient(
        patient_id: str, request: Request, actor: ActorDep, uow: UowDep, rules: RulesDep
    ) -> JSONResponse:
        try:
            identity_id = UUID(patient_id)
        except ValueError:
            raise NotFound(f"Patient/{patient_id} inconnu.") from None
        view, context = service.read_for_diffusion(
            identity_id, uow=uow, actor=actor, rules=rules, fmt="fhir", destination="fhir:read"
        )
        return _fhir_json(fhir.patient_resource(view, context))

    @app.get("/Patient", dependencies=authenticated)
    def search_patients(
        request: Request,
        actor: ActorDep,
        uow: UowDep,
        rules: RulesDep,
        birthdate: Annotated[str | None, Query()] = None,
        family: Annotated[str | None, Query()] = None,
        given: Annotated[str | None, Query()] = None,
        gender: Annotated[str | None, Query()] = None,
        identifier: Annotated[str | None, Query()] = None,
        count: Annotated[int, Query(alias="_count", ge=1, le=200)] = 50,
    ) -> JSONResponse:
        system, value = _identifier(identifier)
        by_nss = system in NSS_OIDS  # FR Core NSS-NIR / NSS-NIA: the billing NSS, not an INS
        views, context = service.search_for_diffusion(
            birth_date=None if value else birthdate,
            name=family,
            first_name=given,
            sex=_GENDERS.get(gender or "", gender),
            ins=None if by_nss else value,
            ins_oid=system,
            nss=value if by_nss else None,
            limit=count,
            uow=uow,
            actor=actor,
            rules=rules,
            fmt="fhir",
            destination="fhir:search",
        )
        resources = [fhir.patient_resource(v, context) for v in views]
        return _fhir_json(fhir.searchset(resources, _base(request), context.now))

    return app


NSS_OIDS = frozenset(o.value for o in NssOid)


def _identifier(token: str | None) -> tuple[str | None, str | None]:
    """``urn:oid:<OID>|<matricule>`` (or a bare matricule) -> (OID, matricule)."""
    if not token:
        return None, None
    system, sep, value = token.partition("|")
    if not sep:
        return None, system
    return system.removeprefix("urn:oid:") or None, value
