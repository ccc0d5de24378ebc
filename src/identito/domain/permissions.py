"""Permissions, roles and the actor performing a use case.

Roles are bundles of permissions; the default bundles below can be replaced by
configuration (``Settings.role_permissions``). Checks happen once, in the
service layer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from identito.domain.errors import PermissionDenied


class Permission(StrEnum):
    IDENTITY_SEARCH = "identity:search"
    IDENTITY_READ = "identity:read"
    IDENTITY_CREATE = "identity:create"
    IDENTITY_UPDATE = "identity:update"
    #: change strict traits, matricule or OID of a RECUP or QUAL identity
    IDENTITY_UPDATE_PROTECTED = "identity:update-protected"
    IDENTITY_VALIDATE = "identity:validate"
    IDENTITY_ATTRIBUTES = "identity:attributes"
    #: merge two identities of one person, or undo a merge (identity vigilance)
    IDENTITY_MERGE = "identity:merge"
    #: decide on the duplicate review worklist, declare or resolve a collision (vigilance)
    DUPLICATES_REVIEW = "duplicates:review"
    INS_READ = "ins:read"
    INSI_CALL = "insi:call"
    AUDIT_READ = "audit:read"
    PLACES_READ = "places:read"
    INDICATORS_READ = "indicators:read"
    IDENTITY_IMPORT = "identity:import"
    USERS_ADMIN = "users:admin"
    #: receive HL7 v2 / FHIR messages as a sender (reception services; interface accounts)
    MESSAGES_RECEIVE = "messages:receive"
    #: apply an A40 received from the own identification domain (else: the worklist)
    MESSAGES_MERGE = "messages:merge"
    SETTINGS_ADMIN = "settings:admin"


class Role(StrEnum):
    ADMIN = "admin"
    IDENTITY_VIGILANCE = "identitovigilance"
    ADMISSION = "admission"
    CARE = "care"
    STATISTICS = "statistics"
    #: an interface account (compte d'interface): a sending application, reception only
    INTERFACE = "interface"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ADMIN: "Administrateur",
    Role.IDENTITY_VIGILANCE: "Cellule d'identitovigilance",
    Role.ADMISSION: "Admission (accueil)",
    Role.CARE: "Soignant (consultation)",
    Role.STATISTICS: "Statistiques (indicateurs seulement)",
    Role.INTERFACE: "Compte d'interface (réception des messages seulement)",
}


_P = Permission
_IDENTITY_ALL = frozenset(
    {
        _P.IDENTITY_SEARCH,
        _P.IDENTITY_READ,
        _P.IDENTITY_CREATE,
        _P.IDENTITY_UPDATE,
        _P.IDENTITY_UPDATE_PROTECTED,
        _P.IDENTITY_VALIDATE,
        _P.IDENTITY_ATTRIBUTES,
        _P.IDENTITY_MERGE,
        _P.DUPLICATES_REVIEW,
        _P.INS_READ,
        _P.INSI_CALL,
        _P.AUDIT_READ,
        _P.PLACES_READ,
        _P.IDENTITY_IMPORT,
        _P.INDICATORS_READ,
    }
)

DEFAULT_ROLE_PERMISSIONS: Mapping[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.IDENTITY_VIGILANCE: _IDENTITY_ALL,
    Role.ADMISSION: frozenset(
        {
            _P.IDENTITY_SEARCH,
            _P.IDENTITY_READ,
            _P.IDENTITY_CREATE,
            _P.IDENTITY_UPDATE,
            _P.IDENTITY_VALIDATE,
            _P.IDENTITY_ATTRIBUTES,
            _P.INS_READ,
            _P.INSI_CALL,
            _P.PLACES_READ,
        }
    ),
    Role.CARE: frozenset({_P.IDENTITY_SEARCH, _P.IDENTITY_READ, _P.INS_READ, _P.PLACES_READ}),
    Role.STATISTICS: frozenset({_P.INDICATORS_READ}),
    Role.INTERFACE: frozenset({_P.MESSAGES_RECEIVE, _P.MESSAGES_MERGE}),
}


def role_permissions(
    role: Role, overrides: Mapping[str, Iterable[str]] | None = None
) -> frozenset[Permission]:
    """Permissions of a role, from configuration when it redefines the role."""
    if overrides and role.value in overrides:
        return frozenset(Permission(p) for p in overrides[role.value])
    return DEFAULT_ROLE_PERMISSIONS[role]


@dataclass(frozen=True)
class Actor:
    """Who performs a use case: a user, or the system for batch jobs."""

    username: str
    role: Role
    permissions: frozenset[Permission] = field(default_factory=frozenset)

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    def require(self, permission: Permission) -> None:
        if permission not in self.permissions:
            raise PermissionDenied(
                permission.value,
                f"Votre profil ({self.role.value}) ne permet pas cette action "
                f"(habilitation {permission.value}).",
            )
