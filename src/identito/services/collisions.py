"""Collisions (issue 7): two persons in one record, escalated to identity vigilance.

Declared from the review worklist (decision ``collision``) or on one identity
(``declare_collision``): the identity carries COLP (potential) or COLV
(confirmed), its matricule INS is no longer diffused (``domain.diffusion``) and
it is listed in the collisions worklist (``list_collisions``, counted in the
menu by ``collision_count``) until identity vigilance resolves it
(``resolve_collision``). Every step is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from identito.domain.identity import Identity
from identito.domain.ins_uniqueness import InsAlreadyHeld
from identito.domain.permissions import Actor, Permission
from identito.domain.status import CollisionLevel
from identito.services.identities import note_reads
from identito.services.ins_refusals import refuse_held_ins
from identito.services.paging import bounded
from identito.services.rules import Rules
from identito.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class CollisionPage:
    items: list[Identity]
    total: int
    page: int
    per_page: int


def declare_collision(
    identity_id: UUID,
    *,
    confirmed: bool = False,
    note: str | None = None,
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
) -> Identity:
    """COLV when ``confirmed``, else COLP; a potential collision may be confirmed later."""
    actor.require(Permission.DUPLICATES_REVIEW)
    level = CollisionLevel.CONFIRMED if confirmed else CollisionLevel.POTENTIAL
    now = rules.now()
    with uow:
        identity = uow.identities.get(identity_id)
        if identity.declare_collision(level, now=now, note=(note or "").strip() or None):
            uow.identities.update(identity)
            uow.commit(actor, now)
    return identity


def resolve_collision(
    identity_id: UUID, *, note: str | None = None, uow: UnitOfWork, actor: Actor, rules: Rules
) -> Identity:
    """The collision is handled: the identity leaves the worklist, its INS may go again.

    Refused (``InsAlreadyHeld``) while another active identity holds its matricule."""
    actor.require(Permission.DUPLICATES_REVIEW)
    now = rules.now()
    with uow:
        identity = uow.identities.get(identity_id)
        identity.resolve_collision(now=now, note=(note or "").strip() or None)
        try:
            uow.identities.update(identity)
        except InsAlreadyHeld as error:  # another still holds its matricule (R-DU-03): 409
            raise refuse_held_ins(error, uow=uow, actor=actor, now=now) from None
        uow.commit(actor, now)
    return identity


def list_collisions(
    *, page: int = 1, per_page: int = 20, uow: UnitOfWork, actor: Actor, rules: Rules
) -> CollisionPage:
    """Active identities carrying a collision, most recently changed first."""
    actor.require(Permission.DUPLICATES_REVIEW)
    page, per_page = bounded(page, per_page)
    with uow:
        ids = uow.duplicate_reviews.collision_ids(limit=per_page, offset=(page - 1) * per_page)
        total = uow.duplicate_reviews.collision_count()
        items = [uow.identities.get(i) for i in ids]
        note_reads(items, uow=uow, actor=actor, rules=rules)
    return CollisionPage(items, total, page, per_page)


def collision_count(*, uow: UnitOfWork, actor: Actor) -> int:
    """How many active identities carry a collision (the menu shows it): one indexed
    count, no identity read (so no read audited)."""
    actor.require(Permission.DUPLICATES_REVIEW)
    with uow:
        return uow.duplicate_reviews.collision_count()
