"""The duplicate review worklist (issue 7): reading it, and the decisions.

Identity vigilance lists the pairs (``list_reviews``), compares the two
identities (``review_detail``) and decides (``decide``; ``check_decision`` raises
the same refusals without saving): duplicate (DOUA, then merge with
``services.merges``), not a duplicate (remembered until a trait of either
identity changes), homonyms (both get HOMA), collision (COLP/COLV on one or both
identities, see ``services.collisions``). Every decision is audited on both
identities (who, when, note).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from identito.domain.duplicate_reviews import (
    Decision,
    DuplicateReview,
    ReviewStatus,
    fingerprint,
)
from identito.domain.errors import InvalidInput, InvalidTransition
from identito.domain.events import AuditAction
from identito.domain.identity import Identity
from identito.domain.permissions import Actor, Permission
from identito.domain.status import CollisionLevel, IdentityAttribute
from identito.services.identities import note_reads
from identito.services.paging import bounded
from identito.services.rules import Rules
from identito.services.unit_of_work import AuditEntry, UnitOfWork

REVIEW = Permission.DUPLICATES_REVIEW


@dataclass(frozen=True)
class ReviewEntry:
    """A review with both identities (``first.id == review.first_id``)."""

    review: DuplicateReview
    first: Identity
    second: Identity

    @property
    def differences(self) -> tuple[str, ...]:
        """The trait fields on which the two identities differ."""
        return tuple(self.first.traits.changed_fields(self.second.traits))


@dataclass(frozen=True)
class ReviewPage:
    items: list[ReviewEntry]
    total: int
    page: int
    per_page: int


# -- reading ---------------------------------------------------------------------------------


def list_reviews(
    *,
    status: str | None = ReviewStatus.PENDING.value,
    page: int = 1,
    per_page: int = 20,
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
) -> ReviewPage:
    """The worklist of a status (``pending`` by default; empty or ``all`` for every
    status), blocking pairs first, then best score first."""
    actor.require(REVIEW)
    wanted = None if status in (None, "", "all") else ReviewStatus.parse(status)
    page, per_page = bounded(page, per_page)
    with uow:
        found = uow.duplicate_reviews.listing(wanted, limit=per_page, offset=(page - 1) * per_page)
        total = uow.duplicate_reviews.count(wanted)
        items = [_entry(review, uow) for review in found]
        note_reads(_identities(items), uow=uow, actor=actor, rules=rules)
    return ReviewPage(items, total, page, per_page)


def review_detail(review_id: UUID, *, uow: UnitOfWork, actor: Actor, rules: Rules) -> ReviewEntry:
    """One review, both identities side by side (``differences``), score, explanation."""
    actor.require(REVIEW)
    with uow:
        entry = _entry(uow.duplicate_reviews.get(review_id), uow)
        note_reads(_identities([entry]), uow=uow, actor=actor, rules=rules)
    return entry


def reviews_of_identity(
    identity_id: UUID, *, uow: UnitOfWork, actor: Actor, rules: Rules
) -> list[DuplicateReview]:
    """Every review naming an identity (its page shows the open ones)."""
    actor.require(REVIEW)
    with uow:
        uow.identities.get(identity_id)  # 404 for an unknown identity
        return uow.duplicate_reviews.for_identity(identity_id)


def pending_count(*, uow: UnitOfWork, actor: Actor) -> int:
    """How many pairs await a decision (the menu shows it); one indexed count."""
    actor.require(REVIEW)
    with uow:
        return uow.duplicate_reviews.count(ReviewStatus.PENDING)


def _entry(review: DuplicateReview, uow: UnitOfWork) -> ReviewEntry:
    first = uow.identities.get(review.first_id)
    return ReviewEntry(review, first, uow.identities.get(review.second_id))


def _identities(entries: Iterable[ReviewEntry]) -> list[Identity]:
    return [i for e in entries for i in (e.first, e.second)]


# -- decisions ---------------------------------------------------------------------------------


def decide(
    review_id: UUID,
    decision: str,
    *,
    note: str | None = None,
    confirmed: bool = False,
    collision_identity_id: UUID | None = None,
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
) -> ReviewEntry:
    """Decide on a pair (identity vigilance and admin only); audited on both identities.

    ``collision``: COLV when ``confirmed`` else COLP, on ``collision_identity_id``
    (one of the pair) or, when it is not given, on both identities.
    """
    actor.require(REVIEW)
    chosen = Decision.parse(decision)
    note = (note or "").strip() or None
    now = rules.now()
    with uow:
        entry = _entry(uow.duplicate_reviews.get(review_id), uow)
        pair = (entry.first, entry.second)
        decided = _decided(
            entry, chosen, note=note, confirmed=confirmed, target=collision_identity_id,
            by=actor.username, now=now,
        )  # fmt: skip
        for identity in pair:
            if identity.events:
                uow.identities.update(identity)
        uow.duplicate_reviews.save([decided])
        for identity, other in (pair, pair[::-1]):
            uow.add_audit(_decision_audit(decided, identity, other, actor, now))
        uow.commit(actor, now)
    return ReviewEntry(decided, *pair)


def check_decision(
    review_id: UUID,
    decision: str,
    *,
    confirmed: bool = False,
    collision_identity_id: UUID | None = None,
    uow: UnitOfWork,
    actor: Actor,
    rules: Rules,
) -> None:
    """Raise what ``decide`` would refuse, saving and auditing nothing: the web UI asks
    for a confirmation only of a decision that the domain accepts."""
    actor.require(REVIEW)
    chosen = Decision.parse(decision)
    with uow:  # left without commit: the changed identities are discarded
        entry = _entry(uow.duplicate_reviews.get(review_id), uow)
        _decided(
            entry, chosen, note=None, confirmed=confirmed, target=collision_identity_id,
            by=actor.username, now=rules.now(),
        )  # fmt: skip


def _decided(
    entry: ReviewEntry,
    chosen: Decision,
    *,
    note: str | None,
    confirmed: bool,
    target: UUID | None,
    by: str,
    now: datetime,
) -> DuplicateReview:
    """The decided review, the decision applied to both identities (not saved)."""
    pair = (entry.first, entry.second)
    if not all(i.active for i in pair):
        raise InvalidTransition(
            "Décision impossible : l'une des deux identités est fusionnée (inactive).",
            rule="review_identity_inactive",
        )
    decided = entry.review.decide(chosen, fingerprint=fingerprint(*pair), by=by, now=now, note=note)
    _apply(chosen, pair, note=note, confirmed=confirmed, target=target, now=now)
    return decided


def _apply(
    decision: Decision,
    pair: tuple[Identity, Identity],
    *,
    note: str | None,
    confirmed: bool,
    target: UUID | None,
    now: datetime,
) -> None:
    if decision is Decision.HOMONYM:
        reason = note or "Homonymes (liste de travail des doublons)"
        for identity in pair:
            identity.change_attributes([IdentityAttribute.HOMONYM], [], now=now, reason=reason)
    elif decision is Decision.COLLISION:
        if target is not None and target not in {i.id for i in pair}:
            message = "L'identité en collision est l'une des deux identités de la paire."
            raise InvalidInput.single("identity_id", "not_in_pair", message)
        level = CollisionLevel.CONFIRMED if confirmed else CollisionLevel.POTENTIAL
        for identity in pair:
            if target in (None, identity.id):
                identity.declare_collision(level, now=now, note=note)


def _decision_audit(
    review: DuplicateReview, identity: Identity, other: Identity, actor: Actor, now: datetime
) -> AuditEntry:
    return AuditEntry(
        actor.username,
        now,
        AuditAction.DUPLICATE_DECIDED,
        identity.id,
        reason=review.note,
        details={
            "review_id": str(review.id),
            "decision": review.status.value,
            "other_id": str(other.id),
            "score": review.score,
            "blocking": review.blocking,
        },
    )
