"""An INSi worklist as CSV (issue 16 point 6): one line per identity of the list, its
state and the outcome of its call, for a French spreadsheet (UTF-8 with BOM, ``;``).

``to_decide`` keeps the identities INSi found but whose traits were not integrated
automatically: they wait for a user's decision on their sheet. The matricule is written
only when it may be diffused to the actor (a qualified identity...); each one written is
traced as a read, and the export by one ``worklist.exported`` row.
"""

from __future__ import annotations

import csv
import io
from uuid import UUID

from identito.domain.errors import NotFound
from identito.domain.events import AuditAction
from identito.domain.identity import Identity
from identito.domain.permissions import Actor, Permission
from identito.services.insi_records import WorklistItem
from identito.services.matricule_reads import MatriculeView, note_views
from identito.services.rules import Rules
from identito.services.unit_of_work import AuditEntry, UnitOfWork
from identito.services.worklist_tools import diffusable_matricule

STATES = {"pending": "À traiter", "started": "En cours", "done": "Traitée",
          "failed": "Refusée avant l'appel"}  # fmt: skip
OUTCOMES = {"00": "00 — identité trouvée", "01": "01 — aucune identité trouvée",
            "02": "02 — plusieurs identités trouvées", "error": "Erreur"}  # fmt: skip
HEADER = ["n°", "nom de naissance", "1er prénom de naissance", "date de naissance", "sexe",
          "statut", "matricule INS", "état", "résultat INSi", "INS intégré", "message",
          "identité"]  # fmt: skip


def to_decide(item: WorklistItem) -> bool:
    """INSi found the identity, its traits were not integrated: a user decides."""
    return item.outcome == "00" and not item.applied


def export_insi_worklist(
    worklist_id: UUID, *, only_to_decide: bool = False, uow: UnitOfWork, actor: Actor,
    rules: Rules,
) -> tuple[str, int]:  # fmt: skip
    """The CSV text of a worklist's items (or those to decide) and its number of lines."""
    actor.require(Permission.INSI_CALL)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    now = rules.now()
    with uow:
        uow.insi_worklists.get(worklist_id)  # 404 for an unknown list
        items = [i for i in uow.insi_worklists.items(worklist_id)
                 if not only_to_decide or to_decide(i)]  # fmt: skip
        shown: list[UUID] = []
        for item in items:
            try:
                identity = uow.identities.get(item.identity_id)
            except NotFound:
                identity = None
            matricule = diffusable_matricule(identity, actor)
            shown += [item.identity_id] if matricule else []
            writer.writerow([item.position, *_traits(identity), matricule,
                             STATES.get(item.state.value, item.state.value),
                             OUTCOMES.get(item.outcome or "", item.outcome or ""),
                             "oui" if item.applied else "non", item.message or "",
                             str(item.identity_id)])  # fmt: skip
        details = {"list": f"insi:{worklist_id}", "rows": len(items),
                   "filtered": only_to_decide, "matricules": len(shown)}  # fmt: skip
        uow.add_audit(AuditEntry(actor.username, now, AuditAction.WORKLIST_EXPORTED,
                                 None, details=details))  # fmt: skip
        note_views(shown, MatriculeView.WORKLIST_EXPORT, uow=uow, actor=actor, rules=rules)
    return "\ufeff" + out.getvalue(), len(items)


def _traits(identity: Identity | None) -> list[str]:
    if identity is None:
        return ["", "", "", "", ""]
    traits = identity.traits
    born = "/".join(reversed(traits.birth_date.raw.split("-")))
    return [traits.birth_name, traits.first_birth_first_name, born, traits.sex.value,
            identity.status.value]  # fmt: skip
