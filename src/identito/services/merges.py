"""Merge and unmerge use cases (issue 7): identity vigilance and admin only.

The survivor is chosen by the caller (``domain.merges.default_survivor`` gives
the default: the best status). The merged identity becomes inactive, linked to
the survivor and kept for history; the merge record keeps its snapshot so the
merge can be undone exactly. Both are propagated: ``domain.merges`` queues the
survivor's event in the outbox (HL7 A40, or A28 + A31 for an unmerge, built by
``services.propagation``); FHIR reads show ``link`` replaced-by / replaces.
``merges_of`` and ``get_merge`` read the merges of an identity (its sheet).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from identito.domain import merges
from identito.domain.identity import Identity
from identito.domain.ins_uniqueness import InsAlreadyHeld
from identito.domain.merges import Merge
from identito.domain.permissions import Actor, Permission
from identito.services.duplicate_reviews import close_merged_reviews
from identito.services.identities import note_reads
from identito.services.ins_refusals import refuse_held_ins
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
        close_merged_reviews(merged_id, uow=uow, actor=actor, now=now)  # worklist: "merged"
        uow.commit(actor, now)
    return record


def check_merge(
    survivor_id: UUID, merged_id: UUID, *, uow: UnitOfWork, actor: Actor, rules: Rules
) -> None:
    """Raise the refusal the merge would meet (``InvalidTransition``), saving nothing:
    the web asks for the confirmation only of a merge that can be done."""
    actor.require(Permission.IDENTITY_MERGE)
    with uow:  # never committed: the changed identities are dropped with the unit of work
        survivor = uow.identities.get(survivor_id)
        merged = uow.identities.get(merged_id)
        merges.merge(survivor, merged, actor=actor.username, now=rules.now())


def unmerge(merge_id: UUID, *, uow: UnitOfWork, actor: Actor, rules: Rules) -> Merge:
    """Undo a merge: the merged identity is active again, exactly as it was."""
    actor.require(Permission.IDENTITY_MERGE)
    now = rules.now()
    with uow:
        record = uow.merges.get(merge_id)
        survivor = uow.identities.get(record.survivor_id)
        merged = uow.identities.get(record.merged_id)
        undone = merges.unmerge(record, survivor, merged, actor=actor.username, now=now)
        try:
            uow.identities.update(merged)
        except InsAlreadyHeld as error:  # its matricule is held by another (R-DU-03): 409
            raise refuse_held_ins(error, uow=uow, actor=actor, now=now) from None
        uow.merges.update(undone)
        uow.commit(actor, now)
    return undone


# -- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MergeLink:
    """A merge not undone, with the other identity of the merge."""

    merge: Merge
    identity: Identity


@dataclass(frozen=True)
class IdentityMerges:
    """The merges not undone of one identity."""

    #: The merge that made it inactive, with its survivor (``None`` when active).
    into: MergeLink | None = None
    #: The merges into it, each with its merged identity, oldest first.
    merged: list[MergeLink] = field(default_factory=list)


def merges_of(identity_id: UUID, *, uow: UnitOfWork, actor: Actor, rules: Rules) -> IdentityMerges:
    """The merge that made ``identity_id`` inactive, or the merges into it.

    Both by the indexed ``merges.survivor_id`` (an inactive identity names its
    survivor). The identities returned carrying a matricule are audited as reads.
    """
    actor.require(Permission.IDENTITY_READ)
    with uow:
        identity = uow.identities.get(identity_id)
        if identity.merged_into is None:
            found = IdentityMerges(merged=[
                MergeLink(m, uow.identities.get(m.merged_id))
                for m in uow.merges.active_into(identity.id)
            ])  # fmt: skip
        else:
            into = [
                m
                for m in uow.merges.active_into(identity.merged_into)
                if m.merged_id == identity.id
            ]
            survivor = uow.identities.get(identity.merged_into) if into else None
            found = IdentityMerges(into=MergeLink(into[0], survivor) if survivor else None)
        shown = [link.identity for link in (found.into, *found.merged) if link is not None]
        note_reads(shown, uow=uow, actor=actor, rules=rules)
    return found


def get_merge(merge_id: UUID, *, uow: UnitOfWork, actor: Actor) -> Merge:
    """One merge record (``NotFound`` otherwise), done or undone."""
    actor.require(Permission.IDENTITY_READ)
    with uow:
        return uow.merges.get(merge_id)
