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

    @property
    def label(self) -> str:
        return PERMISSION_LABELS[self]


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

    @property
    def summary(self) -> str:
        """One sentence: what the role is for (« Mon compte »)."""
        return ROLE_SUMMARIES[self]


ROLE_LABELS = {
    Role.ADMIN: "Administrateur",
    Role.IDENTITY_VIGILANCE: "Cellule d'identitovigilance",
    Role.ADMISSION: "Admission (accueil)",
    Role.CARE: "Soignant (consultation)",
    Role.STATISTICS: "Statistiques (indicateurs seulement)",
    Role.INTERFACE: "Compte d'interface (réception des messages seulement)",
}

_P = Permission

#: Each permission as a user reads it (the page « Mon compte » lists those of the role).
PERMISSION_LABELS: dict[Permission, str] = {
    _P.IDENTITY_SEARCH: "Rechercher une identité (recherche d'antériorité)",
    _P.IDENTITY_READ: "Consulter la fiche d'une identité",
    _P.IDENTITY_CREATE: "Créer une identité",
    _P.IDENTITY_UPDATE: "Modifier les traits d'une identité",
    _P.IDENTITY_UPDATE_PROTECTED: (
        "Modifier une identité récupérée ou qualifiée (traits stricts, matricule INS) "
        "et traiter les listes de travail"
    ),
    _P.IDENTITY_VALIDATE: "Valider une identité sur pièce d'identité à haut niveau de confiance",
    _P.IDENTITY_ATTRIBUTES: "Poser ou retirer les attributs douteuse, fictive, homonyme",
    _P.IDENTITY_MERGE: "Fusionner deux identités d'une même personne, annuler une fusion",
    _P.DUPLICATES_REVIEW: "Examiner les doublons potentiels, déclarer ou lever une collision",
    _P.INS_READ: "Voir le matricule INS des identités qualifiées",
    _P.INSI_CALL: "Appeler le téléservice INSi (récupération et vérification de l'INS)",
    _P.AUDIT_READ: "Consulter la traçabilité (historique des actions)",
    _P.PLACES_READ: "Consulter le référentiel des lieux de naissance",
    _P.INDICATORS_READ: "Consulter les indicateurs de pilotage",
    _P.IDENTITY_IMPORT: "Importer des identités par lot",
    _P.USERS_ADMIN: "Gérer les comptes utilisateurs (créer, changer le profil, désactiver)",
    _P.MESSAGES_RECEIVE: "Envoyer des messages HL7 v2 ou FHIR (compte d'interface)",
    _P.MESSAGES_MERGE: "Faire appliquer une fusion reçue par message (A40)",
    _P.SETTINGS_ADMIN: "Modifier les paramètres de l'application",
}

#: One sentence per role: what the role is for.
ROLE_SUMMARIES: dict[Role, str] = {
    Role.ADMIN: "Administration de l'application : tous les droits, y compris les comptes "
    "et les paramètres.",
    Role.IDENTITY_VIGILANCE: "Cellule d'identitovigilance : toutes les actions sur les "
    "identités, les doublons, les collisions et les listes de travail.",
    Role.ADMISSION: "Accueil des patients : rechercher, créer, valider une identité et "
    "appeler INSi.",
    Role.CARE: "Consultation des identités et de leur matricule INS, sans modification.",
    Role.STATISTICS: "Consultation des indicateurs de pilotage seulement.",
    Role.INTERFACE: "Compte technique d'une application qui envoie des messages ; "
    "il n'utilise pas l'interface web.",
}


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
