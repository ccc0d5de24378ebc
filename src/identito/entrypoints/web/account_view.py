"""What « Mon compte » shows: the role in French, what it allows, the pages it opens."""

from __future__ import annotations

from identito.domain.permissions import Actor, Permission, Role

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

#: The pages a role may open, with what one does there (« Mon compte » lists them).
ROLE_PAGES: tuple[tuple[Permission, str, str, str], ...] = (
    (_P.IDENTITY_SEARCH, "/recherche", "Recherche d'antériorité et création",
     "chercher une identité avant d'en créer une"),
    (_P.INSI_CALL, "/insi/listes", "Liste de travail INSi",
     "appeler INSi pour une liste d'identités"),
    (_P.INSI_CALL, "/verification", "Vérification INS",
     "vérifier par lot les matricules INS enregistrés"),
    (_P.IDENTITY_UPDATE_PROTECTED, "/listes-de-travail", "Listes de travail",
     "traiter les identités à revoir après une vérification"),
    (_P.DUPLICATES_REVIEW, "/doublons", "Doublons à examiner",
     "décider sur les paires d'identités qui se ressemblent"),
    (_P.DUPLICATES_REVIEW, "/collisions", "Collisions",
     "suivre les fiches qui mêlent deux personnes"),
    (_P.INDICATORS_READ, "/indicateurs", "Indicateurs",
     "répartition des identités par statut et motifs de non-qualification"),
    (_P.USERS_ADMIN, "/admin/utilisateurs", "Utilisateurs",
     "créer, modifier, désactiver des comptes"),
    (_P.SETTINGS_ADMIN, "/admin/parametres", "Paramètres", "régler l'application"),
)  # fmt: skip


def role_context(actor: Actor) -> dict[str, object]:
    """The part of « Mon compte » that describes the actor's role."""
    return {
        "role_summary": ROLE_SUMMARIES[actor.role],
        "allowed": [label for permission, label in PERMISSION_LABELS.items()
                    if actor.can(permission)],
        "pages": [(href, label, hint) for permission, href, label, hint in ROLE_PAGES
                  if actor.can(permission)],
    }  # fmt: skip
