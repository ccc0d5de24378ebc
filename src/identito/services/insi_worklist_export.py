"""An INSi worklist as CSV (issue 16 point 6): one line per identity of the list, its
state and the outcome of its call, for a French spreadsheet (UTF-8 with BOM, ``;``).

``to_decide`` keeps the identities INSi found but whose traits were not integrated
automatically: they wait for a user's decision on their sheet. The matricule is written
only when it may be diffused to the actor (a qualified identity...); each one written is
traced as a read, and the export by one ``worklist.exported`` row.
"""

from __future__ import annotations

from uuid import UUID

from identito.domain.errors import NotFound
from identito.domain.identity import Identity
from identito.domain.insi import InsiOutcome
from identito.domain.permissions import Actor, Permission
from identito.services.insi_records import WorklistItem
from identito.services.rules import Rules
from identito.services.spreadsheet import spreadsheet_csv
from identito.services.unit_of_work import UnitOfWork
from identito.services.worklist_tools import diffusable_matricule, record_export

HEADER = ["n°", "nom de naissance", "1er prénom de naissance", "date de naissance", "sexe",
          "statut", "matricule INS", "état", "résultat INSi", "INS intégré", "message",
          "identité"]  # fmt: skip


def to_decide(item: WorklistItem) -> bool:
    """INSi found the identity, its traits were not integrated: a user decides."""
    return item.outcome == InsiOutcome.FOUND and not item.applied


def export_insi_worklist(
    worklist_id: UUID, *, only_to_decide: bool = False, uow: UnitOfWork, actor: Actor,
    rules: Rules,
) -> tuple[str, int]:  # fmt: skip
    """The CSV text of a worklist's items (or those to decide) and its number of lines."""
    actor.require(Permission.INSI_CALL)
    rows: list[list[object]] = [list(HEADER)]
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
            outcome = InsiOutcome(item.outcome).label if item.outcome else ""
            rows.append([item.position, *_traits(identity), matricule, item.state.label,
                         outcome, "oui" if item.applied else "non", item.message or "",
                         str(item.identity_id)])  # fmt: skip
        record_export(f"insi:{worklist_id}", len(items), only_to_decide, shown, uow=uow,
                      actor=actor, rules=rules)  # fmt: skip
    return spreadsheet_csv(rows), len(items)


def _traits(identity: Identity | None) -> list[str]:
    if identity is None:
        return ["", "", "", "", ""]
    traits = identity.traits
    born = "/".join(reversed(traits.birth_date.raw.split("-")))
    return [traits.birth_name, traits.first_birth_first_name, born, traits.sex.value,
            identity.status.value]  # fmt: skip
