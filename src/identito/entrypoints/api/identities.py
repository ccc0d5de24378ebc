"""Identity routes: parse, call the use case, render. No rule lives here."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from identito.domain.documents import DocumentCheck
from identito.domain.identity import Identity
from identito.domain.permissions import Actor, Permission
from identito.entrypoints.api.deps import (
    ActorDep,
    ExpectedVersionDep,
    RulesDep,
    UowDep,
    etag,
    requires,
)
from identito.entrypoints.api.errors import problem_responses
from identito.entrypoints.api.schemas import (
    AttributeChange,
    AuditEntryPublic,
    AuditList,
    DuplicateList,
    DuplicatePublic,
    IdentityCreate,
    IdentityPatch,
    IdentityPublic,
    ValidationRequest,
)
from identito.entrypoints.api.search_schemas import AnteriorityItem, AnteriorityList
from identito.services import duplicates as duplicate_service
from identito.services import identities as service
from identito.services.anteriority import anteriority_query, find_anteriority

PREFIX = "/identities"
router = APIRouter(prefix=PREFIX, tags=["identités"])


def _single(identity: Identity, actor: Actor, response: Response) -> IdentityPublic:
    response.headers["ETag"] = etag(identity.version)
    return IdentityPublic.render(identity, actor)


@router.post(
    "",
    dependencies=[requires(Permission.IDENTITY_CREATE)],
    status_code=status.HTTP_201_CREATED,
    response_model=IdentityPublic,
    responses=problem_responses(401, 403, 409, 422),
    summary="Créer une identité (provisoire)",
)
def create_identity(
    body: IdentityCreate, actor: ActorDep, uow: UowDep, rules: RulesDep, response: Response
) -> IdentityPublic:
    identity = service.create_identity(
        body.creation(),
        uow=uow,
        actor=actor,
        rules=rules,
        collection_method=body.collection_method,
        old_birth_date_confirmed=bool(body.birth_date_confirmed),
        anyway=body.create_anyway,
    )
    response.headers["Location"] = f"/api/v1{PREFIX}/{identity.id}"
    return _single(identity, actor, response)


@router.get(
    "",
    response_model=AnteriorityList,
    responses=problem_responses(401, 403, 422),
    summary="Recherche d'antériorité (champs séparés), par matricule INS ou par NSS",
    description=(
        "Classée de la plus proche à la plus éloignée. Le nom est cherché entier, par un "
        "mot d'un nom composé ou à particule, par son début ou sa phonétique ; le prénom "
        "parmi tous les prénoms de naissance et le prénom utilisé ; la date exacte, jour "
        "et mois inversés ou à un jour près. Sans date : birth_year avec name et "
        "first_name, ou une période (born_from, born_to) avec name ou first_name. Une "
        "identité fusionnée trouvée par ses anciens traits mène à l'identité conservée. "
        "Par ins ou par nss : recherche exacte, un NSS ne trouve jamais un INS."
    ),
)
def search_identities(
    actor: ActorDep,
    uow: UowDep,
    rules: RulesDep,
    birth_date: Annotated[
        str | None, Query(description="AAAA-MM-JJ (sans ins : elle, birth_year ou une période)")
    ] = None,
    name: Annotated[str | None, Query(description="Nom de naissance ou utilisé")] = None,
    first_name: Annotated[str | None, Query(description="Un prénom")] = None,
    sex: Annotated[str | None, Query(description="M, F ou I")] = None,
    ins: Annotated[str | None, Query(description="Matricule INS (15 caractères)")] = None,
    nss: Annotated[
        str | None, Query(description="NSS de facturation (15 caractères), recherche exacte")
    ] = None,
    birth_year: Annotated[
        str | None, Query(description="AAAA, date inconnue (avec name et first_name)")
    ] = None,
    born_from: Annotated[str | None, Query(description="Début de période, AAAA-MM-JJ")] = None,
    born_to: Annotated[str | None, Query(description="Fin de période, AAAA-MM-JJ")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> AnteriorityList:
    if ins or nss:
        found = service.search_identities(
            ins=ins, nss=nss, limit=limit, uow=uow, actor=actor, rules=rules
        )
        return AnteriorityList(items=[AnteriorityItem.plain(i, actor) for i in found])
    query = anteriority_query(
        birth_date=birth_date, name=name, first_name=first_name, sex=sex,
        birth_year=birth_year, born_from=born_from, born_to=born_to, limit=limit,
    )  # fmt: skip
    matches = find_anteriority(query, uow=uow, actor=actor, rules=rules)
    return AnteriorityList(items=[AnteriorityItem.of(m, actor) for m in matches])


# Declared before the ``/{identity_id}`` routes: a literal segment must not be read as an id.
@router.post(
    "/duplicate-check",
    dependencies=[requires(Permission.IDENTITY_SEARCH)],
    response_model=DuplicateList,
    responses=problem_responses(401, 403, 422),
    summary="Doublons potentiels de traits pas encore enregistrés (contrôle avant création)",
)
def check_duplicates(
    body: IdentityCreate,
    actor: ActorDep,
    uow: UowDep,
    rules: RulesDep,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
    threshold: Annotated[float, Query(ge=0, le=1, description="Score minimal")] = 0.5,
) -> DuplicateList:
    found = duplicate_service.check_duplicates(
        body.traits(), uow=uow, actor=actor, rules=rules, limit=limit, threshold=threshold
    )
    return DuplicateList(items=[DuplicatePublic.render(d, actor) for d in found])


@router.get(
    "/{identity_id}",
    response_model=IdentityPublic,
    responses=problem_responses(401, 403, 404, 422),
    summary="Lire une identité",
)
def get_identity(
    identity_id: UUID, actor: ActorDep, uow: UowDep, rules: RulesDep, response: Response
) -> IdentityPublic:
    identity = service.get_identity(identity_id, uow=uow, actor=actor, rules=rules)
    return _single(identity, actor, response)


@router.patch(
    "/{identity_id}",
    dependencies=[requires(Permission.IDENTITY_UPDATE)],
    response_model=IdentityPublic,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
    summary="Modifier des traits ou le matricule INS (If-Match obligatoire)",
)
def patch_identity(
    identity_id: UUID,
    body: IdentityPatch,
    version: ExpectedVersionDep,
    actor: ActorDep,
    uow: UowDep,
    rules: RulesDep,
    response: Response,
) -> IdentityPublic:
    document = body.document
    identity = service.update_identity(
        identity_id,
        version,
        body.changes(),
        uow=uow,
        actor=actor,
        rules=rules,
        document=DocumentCheck(document.document_type, document.document_expiry)
        if document
        else None,
        old_birth_date_confirmed=bool(body.birth_date_confirmed),
        reason=body.reason,
    )
    return _single(identity, actor, response)


@router.post(
    "/{identity_id}/attributes",
    dependencies=[requires(Permission.IDENTITY_ATTRIBUTES)],
    response_model=IdentityPublic,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Ajouter ou retirer des attributs (DOUT, FICT, HOMA)",
)
def change_attributes(
    identity_id: UUID,
    body: AttributeChange,
    actor: ActorDep,
    uow: UowDep,
    rules: RulesDep,
    response: Response,
) -> IdentityPublic:
    identity = service.change_attributes(
        identity_id,
        add=body.add,
        remove=body.remove,
        reason=body.reason,
        uow=uow,
        actor=actor,
        rules=rules,
    )
    return _single(identity, actor, response)


@router.post(
    "/{identity_id}/validation",
    dependencies=[requires(Permission.IDENTITY_VALIDATE)],
    response_model=IdentityPublic,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Enregistrer le contrôle d'une pièce d'identité à haut niveau de confiance",
)
def validate_identity(
    identity_id: UUID,
    body: ValidationRequest,
    actor: ActorDep,
    uow: UowDep,
    rules: RulesDep,
    response: Response,
) -> IdentityPublic:
    identity = service.validate_identity(
        identity_id,
        document_type=body.document_type,
        document_expiry=body.document_expiry,
        uow=uow,
        actor=actor,
        rules=rules,
    )
    return _single(identity, actor, response)


@router.get(
    "/{identity_id}/audit",
    response_model=AuditList,
    responses=problem_responses(401, 403, 404, 422),
    summary="Traçabilité d'une identité (modifications et lectures du matricule)",
)
def identity_audit(identity_id: UUID, actor: ActorDep, uow: UowDep, rules: RulesDep) -> AuditList:
    entries = service.identity_audit(identity_id, uow=uow, actor=actor, rules=rules)
    return AuditList(items=[AuditEntryPublic.render(e) for e in entries])


@router.get(
    "/{identity_id}/duplicates",
    response_model=DuplicateList,
    responses=problem_responses(401, 403, 404, 422),
    summary="Doublons potentiels d'une identité, avec score et explication (meilleurs d'abord)",
)
def find_duplicates(
    identity_id: UUID,
    actor: ActorDep,
    uow: UowDep,
    rules: RulesDep,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
    threshold: Annotated[float, Query(ge=0, le=1, description="Score minimal")] = 0.5,
) -> DuplicateList:
    found = duplicate_service.find_duplicates(
        identity_id, uow=uow, actor=actor, rules=rules, limit=limit, threshold=threshold
    )
    return DuplicateList(items=[DuplicatePublic.render(d, actor) for d in found])
