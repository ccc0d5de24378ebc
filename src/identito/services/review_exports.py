"""The duplicate review worklist and the collisions as CSV (issue 16 point 6): one line
per pair (both identities side by side) or per identity in collision, for a French
spreadsheet (UTF-8 with BOM, ``;``).

The matricule of an identity is written only when it may be diffused to the actor
(qualified, no collision, certain birth date, ``ins:read``); each one written is traced
as a read, and the export itself by one ``worklist.exported`` row.
"""

from __future__ import annotations

from uuid import UUID

from identito.domain.duplicate_reviews import ReviewStatus
from identito.domain.identity import Identity
from identito.domain.permissions import Actor
from identito.services.duplicate_decisions import REVIEW
from identito.services.rules import Rules
from identito.services.spreadsheet import spreadsheet_csv
from identito.services.unit_of_work import UnitOfWork
from identito.services.worklist_tools import (
    EXPORT_LIMIT,
    PARIS,
    diffusable_matricule,
    record_export,
)

_SIDE = ["nom de naissance", "1er prénom de naissance", "date de naissance", "sexe", "statut",
         "matricule INS", "identité"]  # fmt: skip
HEADER = ["statut de la paire", "score", "bloquante", "trouvée le",
          *[f"{c} (1)" for c in _SIDE], *[f"{c} (2)" for c in _SIDE], "décidée par",
          "note", "paire"]  # fmt: skip


def export_reviews(
    status: str | None, *, uow: UnitOfWork, actor: Actor, rules: Rules
) -> tuple[str, int]:
    """The CSV text of the pairs of a status (all when empty or ``all``), as the list
    orders them, and the number of lines (audited)."""
    actor.require(REVIEW)
    wanted = None if status in (None, "", "all") else ReviewStatus.parse(status)
    rows: list[list[str]] = [HEADER]
    with uow:
        reviews = uow.duplicate_reviews.listing(wanted, limit=EXPORT_LIMIT, offset=0)
        shown: list[UUID] = []
        for review in reviews:
            first, second = (uow.identities.get(review.first_id),
                             uow.identities.get(review.second_id))  # fmt: skip
            sides = []
            for identity in (first, second):
                matricule = diffusable_matricule(identity, actor)
                shown += [identity.id] if matricule else []
                sides += _side(identity, matricule)
            rows.append([
                review.status.label, f"{review.score:.2f}".replace(".", ","),
                "oui" if review.blocking else "non",
                review.found_at.astimezone(PARIS).strftime("%d/%m/%Y %H:%M"),
                *sides, review.decided_by or "", review.note or "", str(review.id),
            ])  # fmt: skip
        listed = f"duplicates:{wanted.value if wanted else 'all'}"
        record_export(listed, len(reviews), wanted is not None, shown, uow=uow, actor=actor,
                      rules=rules)  # fmt: skip
    return spreadsheet_csv(rows), len(reviews)


COLLISION_HEADER = ["collision", "nom de naissance", "1er prénom de naissance",
                    "date de naissance", "sexe", "statut", "modifiée le", "identité"]  # fmt: skip


def export_collisions(*, uow: UnitOfWork, actor: Actor, rules: Rules) -> tuple[str, int]:
    """The identities in collision as CSV: never a matricule (a collision withholds it
    from every diffusion); audited like every export."""
    actor.require(REVIEW)
    rows: list[list[str]] = [COLLISION_HEADER]
    with uow:
        ids = uow.duplicate_reviews.collision_ids(limit=EXPORT_LIMIT, offset=0)
        for identity in (uow.identities.get(i) for i in ids):
            side = _side(identity, "")
            changed = identity.updated_at.astimezone(PARIS) if identity.updated_at else None
            level = identity.collision.value if identity.collision else ""
            rows.append([level, *side[:5], changed.strftime("%d/%m/%Y %H:%M") if changed
                             else "", str(identity.id)])  # fmt: skip
        record_export("collisions", len(ids), False, [], uow=uow, actor=actor, rules=rules)
    return spreadsheet_csv(rows), len(ids)


def _side(identity: Identity, matricule: str) -> list[str]:
    traits = identity.traits
    born = traits.birth_date.raw.split("-")
    return [traits.birth_name, traits.first_birth_first_name, "/".join(reversed(born)),
            traits.sex.value, identity.status.value, matricule, str(identity.id)]  # fmt: skip
