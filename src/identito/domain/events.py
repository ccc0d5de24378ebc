"""Past-tense events recorded by the Identity aggregate.

The unit of work turns each event into an audit row in the same transaction;
events marked ``propagate`` are also queued for the diffusion flows (HL7 A47/A31).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class AuditAction(StrEnum):
    """Every action the audit journal records, stored by value; its French label below."""

    IDENTITY_CREATED = "identity.created"
    TRAITS_CHANGED = "identity.traits_changed"
    INS_RETRIEVED = "identity.ins_retrieved"
    INS_CHANGED = "identity.ins_changed"
    INS_CONFIRMED = "identity.ins_confirmed"  # a typed matricule verified OK by INSi
    INS_INVALIDATED = "identity.ins_invalidated"
    NSS_CHANGED = "identity.nss_changed"  # the billing NSS set, changed or removed (R-TR-20)
    #: Linked (rapprochée) with a patient of another identification domain (0445 IDRA, R-LK-02).
    LINKED_IN_OTHER_DOMAIN = "identity.linked_in_other_domain"
    STATUS_CHANGED = "identity.status_changed"
    ATTRIBUTES_CHANGED = "identity.attributes_changed"
    IDENTITY_VALIDATED = "identity.validated"
    IDENTITY_READ = "identity.read"  # a read that returned the matricule
    IDENTITY_IMPORTED = "identity.imported"
    IDENTITY_DIFFUSED = "identity.diffused"  # an export or a message left identito
    IDENTITY_MERGED = "identity.merged"  # on the merged identity and on its survivor
    IDENTITY_UNMERGED = "identity.unmerged"  # a merge undone, on both identities
    COLLISION_DECLARED = "identity.collision_declared"  # COLP / COLV: two persons, one record
    COLLISION_RESOLVED = "identity.collision_resolved"
    INS_ALREADY_HELD = "identity.ins_already_held"  # a matricule refused (R-DU-03)
    DUPLICATE_DECIDED = "duplicate.decided"  # a review decision, on both identities
    DUPLICATES_SCANNED = "duplicates.scanned"  # one row per recorded scan (its summary)
    DUPLICATE_MODEL_ESTIMATED = "duplicates.model_estimated"  # parameters estimated, stored
    USER_CREATED = "user.created"
    USER_CHANGED = "user.changed"  # role or active flag (disabling ends sessions and tokens)
    PASSWORD_CHANGED = "user.password_changed"  # by the user, other sessions and tokens ended
    ACCESS_REVOKED = "user.access_revoked"  # an administrator ended every session and token
    SESSION_OPENED = "session.opened"
    SESSION_CLOSED = "session.closed"
    OWN_SESSIONS_CLOSED = "session.own_closed"  # a user closed their other sessions (Mon compte)
    WORKLIST_EXPORTED = "worklist.exported"  # a worklist downloaded as CSV (its rows counted)
    WORKLIST_BULK_DECIDED = "worklist.bulk_decided"  # one decision on many entries (summary)
    TOKEN_REVOKED = "token.revoked"  # DELETE /api/v1/auth/token by its bearer
    LOGIN_LOCKED = "login.locked"  # too many failed logins: an account or address locked
    LOGIN_UNLOCKED = "login.unlocked"  # an administrator lifted a lock
    INSI_CALLED = "insi.called"  # one call to the teleservice (R-TRC-01)
    INSI_REJECTED = "insi.rejected"  # the user refused the identity INSi returned
    INSI_VERIFIED = "insi.verified"  # a verification result applied
    INSI_WORKLIST_CREATED = "insi.worklist_created"
    VERIFICATION_CAMPAIGN_CREATED = "verification.campaign_created"
    VERIFICATION_RUN_STARTED = "verification.run_started"
    VERIFICATION_RUN_FINISHED = "verification.run_finished"
    VIGILANCE_ENTRY_RESOLVED = "vigilance.entry_resolved"
    IDENTITY_RECEIVED = "identity.received"  # integrated from a received message
    MESSAGE_RECEIVED = "reception.message"  # any received message and its outcome
    SENDER_REFUSED = "reception.sender_refused"
    SETTINGS_CHANGED = "settings.changed"
    INTERFACE_ACCOUNT_DECLARED = "interface_account.declared"
    INTERFACE_ACCOUNT_CHANGED = "interface_account.changed"

    @property
    def label(self) -> str:
        return AUDIT_ACTION_LABELS[self]


AUDIT_ACTION_LABELS = {
    AuditAction.IDENTITY_CREATED: "Création",
    AuditAction.TRAITS_CHANGED: "Modification des traits",
    AuditAction.INS_RETRIEVED: "Récupération de l'INS",
    AuditAction.INS_CHANGED: "Saisie du matricule INS (à vérifier)",
    AuditAction.INS_CONFIRMED: "Matricule INS saisi confirmé par INSi",
    AuditAction.NSS_CHANGED: "NSS de facturation (numéro de sécurité sociale)",
    AuditAction.LINKED_IN_OTHER_DOMAIN: "Rapprochement dans un autre domaine (IDRA)",
    AuditAction.INS_INVALIDATED: "Invalidation du matricule INS",
    AuditAction.STATUS_CHANGED: "Changement de statut",
    AuditAction.ATTRIBUTES_CHANGED: "Changement d'attributs",
    AuditAction.IDENTITY_VALIDATED: "Validation (pièce contrôlée)",
    AuditAction.IDENTITY_READ: "Lecture du matricule INS",
    AuditAction.IDENTITY_IMPORTED: "Import",
    AuditAction.IDENTITY_DIFFUSED: "Diffusion (export ou message)",
    AuditAction.IDENTITY_MERGED: "Fusion",
    AuditAction.IDENTITY_UNMERGED: "Annulation de fusion",
    AuditAction.COLLISION_DECLARED: "Déclaration de collision",
    AuditAction.COLLISION_RESOLVED: "Résolution de collision",
    AuditAction.INS_ALREADY_HELD: "Matricule INS refusé (déjà porté par une autre identité)",
    AuditAction.DUPLICATE_DECIDED: "Décision sur un doublon potentiel",
    AuditAction.DUPLICATES_SCANNED: "Recherche de doublons potentiels",
    AuditAction.DUPLICATE_MODEL_ESTIMATED: "Estimation du modèle de doublons",
    AuditAction.USER_CREATED: "Création d'un compte utilisateur",
    AuditAction.USER_CHANGED: "Modification d'un compte utilisateur",
    AuditAction.PASSWORD_CHANGED: "Changement de mot de passe",
    AuditAction.ACCESS_REVOKED: "Révocation des accès d'un compte",
    AuditAction.SESSION_OPENED: "Connexion",
    AuditAction.SESSION_CLOSED: "Déconnexion",
    AuditAction.TOKEN_REVOKED: "Révocation d'un jeton d'API",
    AuditAction.LOGIN_LOCKED: "Verrouillage après échecs de connexion",
    AuditAction.LOGIN_UNLOCKED: "Levée d'un verrouillage de connexion",
    AuditAction.INSI_CALLED: "Appel au téléservice INSi",
    AuditAction.INSI_REJECTED: "Identité INSi refusée",
    AuditAction.INSI_VERIFIED: "Vérification de l'INS",
    AuditAction.INSI_WORKLIST_CREATED: "Création d'une liste de travail INSi",
    AuditAction.VERIFICATION_CAMPAIGN_CREATED: "Création d'une campagne de vérification",
    AuditAction.VERIFICATION_RUN_STARTED: "Lancement d'une vérification en masse",
    AuditAction.VERIFICATION_RUN_FINISHED: "Fin d'une vérification en masse",
    AuditAction.VIGILANCE_ENTRY_RESOLVED: "Traitement d'une alerte d'identitovigilance",
    AuditAction.IDENTITY_RECEIVED: "Intégration d'un message reçu",
    AuditAction.MESSAGE_RECEIVED: "Message reçu",
    AuditAction.SENDER_REFUSED: "Message refusé (émetteur non autorisé)",
    AuditAction.SETTINGS_CHANGED: "Modification des paramètres",
    AuditAction.INTERFACE_ACCOUNT_DECLARED: "Déclaration d'un compte d'interface",
    AuditAction.INTERFACE_ACCOUNT_CHANGED: "Modification d'un compte d'interface",
    AuditAction.OWN_SESSIONS_CLOSED: "Fermeture de ses autres sessions",
    AuditAction.WORKLIST_EXPORTED: "Export d'une liste de travail (CSV)",
    AuditAction.WORKLIST_BULK_DECIDED: "Décision groupée sur une liste de travail",
}


@dataclass(frozen=True)
class Event:
    action: AuditAction
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    reason: str | None = None
    propagate: bool = False
    details: dict[str, Any] = field(default_factory=dict)
