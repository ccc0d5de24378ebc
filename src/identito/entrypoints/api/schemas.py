"""API schemas, split by direction: ``*Create``/``*Patch``/``*Request`` in, ``*Public`` out.

Input schemas only check JSON shapes; every rule (normalisation, mandatory
fields, character profile) is the domain's, so string fields stay plain strings
and no field has a default other than ``None``.

This module holds the authentication, health and problem schemas; those of a
resource live beside it (``identity_schemas``, ``duplicate_schemas``,
``place_schemas``, ``insi_schemas``) and the first three are re-exported here.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from identito.entrypoints.api.duplicate_schemas import (
    DuplicateList,
    DuplicatePublic,
    TraitAgreementPublic,
)
from identito.entrypoints.api.identity_schemas import (
    AttributeChange,
    AuditEntryPublic,
    AuditList,
    IdentityCreate,
    IdentityList,
    IdentityPatch,
    IdentityPublic,
    IdentityTraits,
    InsHistoryPublic,
    InsiHistoryPublic,
    InsInput,
    InsPublic,
    ValidationPublic,
    ValidationRequest,
    WarningPublic,
)
from identito.entrypoints.api.place_schemas import PlaceCheckPublic, PlaceList, PlacePublic

__all__ = [
    "AttributeChange",
    "AuditEntryPublic",
    "AuditList",
    "DuplicateList",
    "DuplicatePublic",
    "HealthPublic",
    "IdentityCreate",
    "IdentityList",
    "IdentityPatch",
    "IdentityPublic",
    "IdentityTraits",
    "InsHistoryPublic",
    "InsInput",
    "InsPublic",
    "InsiHistoryPublic",
    "MePublic",
    "PlaceCheckPublic",
    "PlaceList",
    "PlacePublic",
    "Problem",
    "ProblemFieldError",
    "TokenPublic",
    "TokenRequest",
    "TraitAgreementPublic",
    "ValidationPublic",
    "ValidationRequest",
    "WarningPublic",
]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- authentication ------------------------------------------------------------------------


class TokenRequest(_Input):
    username: str
    password: str
    grant_type: str | None = None  # sent by OAuth2 password-flow tooling; ignored


class TokenPublic(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Durée de validité du jeton, en secondes.")


class MePublic(BaseModel):
    username: str
    role: str
    permissions: list[str]


class HealthPublic(BaseModel):
    status: Literal["ok"]
    database: Literal["ok"]


# -- problems (RFC 9457) -------------------------------------------------------------------


class ProblemFieldError(BaseModel):
    field: str | None
    rule: str
    message: str


class Problem(BaseModel):
    type: str
    title: str
    status: int
    detail: str
    errors: list[ProblemFieldError] = Field(default_factory=list)
