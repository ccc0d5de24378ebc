"""Merging two records of one person, and undoing it (issue 7).

The merge record keeps the snapshot of the merged identity taken just before
the merge, so an unmerge can check it restores the identity exactly.

>>> from identito.domain.status import IdentityStatus as S
>>> [survivor_rank(s) for s in (S.QUALIFIED, S.RETRIEVED, S.VALIDATED, S.PROVISIONAL)]
[2, 1, 1, 0]
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from uuid import UUID

from identito.domain.errors import InvalidTransition
from identito.domain.events import AuditAction
from identito.domain.identity import Identity
from identito.domain.ids import new_id
from identito.domain.status import IdentityStatus

#: Management annotation of an identity merged into another (inactive, kept for history).
DEACTIVATED = "DESA"


@dataclass(frozen=True)
class Merge:
    survivor_id: UUID
    merged_id: UUID
    at: datetime
    actor: str
    #: ``Identity.snapshot()`` of the merged identity just before the merge.
    snapshot: dict[str, Any]
    id: UUID = field(default_factory=new_id)
    undone_at: datetime | None = None
    undone_by: str | None = None


def survivor_rank(status: IdentityStatus) -> int:
    """QUAL > RECUP = VALI > PROV."""
    return int(status.has_ins) + int(status.document_checked)


def default_survivor(a: Identity, b: Identity) -> Identity:
    """The identity to keep by default: the best status; ``a`` on a tie."""
    return b if survivor_rank(b.status) > survivor_rank(a.status) else a


def merge(survivor: Identity, merged: Identity, *, actor: str, now: datetime) -> Merge:
    """Merge ``merged`` into ``survivor`` and return the record of the merge."""
    record = Merge(survivor.id, merged.id, now, actor, merged.snapshot())
    merged.merge_into(survivor, merge_id=record.id, now=now)
    _propagate(survivor, AuditAction.IDENTITY_MERGED, record.id)
    return record


def unmerge(
    record: Merge, survivor: Identity, merged: Identity, *, actor: str, now: datetime
) -> Merge:
    """Undo ``record``: the merged identity is active again as it was; the record is closed."""
    if record.undone_at is not None:
        raise InvalidTransition("Cette fusion a déjà été annulée.", rule="merge_already_undone")
    merged.unmerge(record.snapshot, survivor, merge_id=record.id, now=now)
    _propagate(survivor, AuditAction.IDENTITY_UNMERGED, record.id)
    return replace(record, undone_at=now, undone_by=actor)


def _propagate(survivor: Identity, action: AuditAction, merge_id: UUID) -> None:
    """Queue the survivor's event of a merge (or unmerge) for the HL7 receivers.

    One outbox row per merge: the survivor's, whose details name the merged
    identity (A40, or A28 + A31 for an unmerge). The merged identity's own event
    stays unpropagated (its A40 is the survivor's).
    """
    for position, event in enumerate(survivor.events):
        if event.action is action and event.details.get("merge_id") == str(merge_id):
            survivor.events[position] = replace(event, propagate=True)
