"""What « Mon compte » shows: the role in French, what it allows, the pages it opens."""

from __future__ import annotations

from identito.domain.permissions import PERMISSION_LABELS, Actor, Permission

_P = Permission

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
        "role_summary": actor.role.summary,
        "allowed": [label for permission, label in PERMISSION_LABELS.items()
                    if actor.can(permission)],
        "pages": [(href, label, hint) for permission, href, label, hint in ROLE_PAGES
                  if actor.can(permission)],
    }  # fmt: skip
