"""Merge and unmerge use cases (issue 7): identity vigilance and admin only.

The survivor is chosen by the caller (``domain.merges.default_survivor`` gives
the default: the best status). The merged identity becomes inactive, linked to
the survivor and kept for history; the merge record keeps its snapshot so the
merge can be undone exactly. HL7 A40 / FHIR ``link`` propagation comes later.
"""

from __future__ import annotations

from uuid import UUID

from identito.domain import merges
from identito.domain.merges import Merge
from identito.domain.permissions import Actor, Permission
from identito.services.rules import Rules
from identito.services.unit_of_work import UnitOfWork


def merge_identities(
    survivor_id: UUID, merged_id: UUID, *, uow: UnitOfWork, actor: Actor, rules: Rules
) -> Merge:
    """Merge ``merged_id`` into ``survivor_id``; refused for different matricules INS."""
    actor.require(Permission.IDENTITY_MERGE)
    now = rules.now()
    with uow:
        survivor = uow.identities.get(survivor_id)
        merged = uow.identities.get(merged_id)
        record = merges.merge(survivor, merged, actor=actor.username, now=now)
        uow.identities.update(merged)
        uow.merges.add(record)
        uow.commit(actor, now)
    return record


def unmerge(merge_id: UUID, *, uow: UnitOfWork, actor: Actor, rules: Rules) -> Merge:
    """Undo a merge: the merged identity is active again, exactly as it was."""
    actor.require(Permission.IDENTITY_MERGE)
    now = rules.now()
    with uow:
        record = uow.merges.get(merge_id)
        survivor = uow.identities.get(record.survivor_id)
        merged = uow.identities.get(record.merged_id)
        undone = merges.unmerge(record, survivor, merged, actor=actor.username, now=now)
        uow.identities.update(merged)
        uow.merges.update(undone)
        uow.commit(actor, now)
    return undone
