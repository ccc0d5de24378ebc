"""The duplicate review worklist: one entry per pair of identities, and its decisions.

A pair found by the batch scan, or at the creation or change of an identity,
becomes a *pending* review with its score, blocking flag and explanation.
Identity vigilance decides:

=================  =================  ===============================================
decision           status             effect
=================  =================  ===============================================
``duplicate``      ``duplicate``      DOUA: one person, two records; ready to merge
``not_duplicate``  ``not_duplicate``  remembered with a fingerprint of both identities
``homonym``        ``homonym``        not a duplicate, and both identities get HOMA
``collision``      ``collision``      an identity holds two persons: COLP / COLV
=================  =================  ===============================================

A merge of the pair (or of either identity) closes its open reviews as
``merged``. A later detection of a decided pair is ignored while the
fingerprint of both identities' traits is unchanged (``reopens``).

>>> ReviewStatus.PENDING.is_open, ReviewStatus.NOT_DUPLICATE.is_open
(True, False)
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import TypeVar
from uuid import UUID

from identito.domain.duplicates import ScoredPair, TraitAgreement
from identito.domain.errors import InvalidInput, InvalidTransition
from identito.domain.identity_state import IdentityState
from identito.domain.ids import new_id

_E = TypeVar("_E", bound=StrEnum)


def _parse(enum: type[_E], value: str | None, *, field: str, code: str, unknown: str) -> _E:
    """``value`` as a member of ``enum`` (case and spaces ignored), or a French error."""
    try:
        return enum(str(value or "").strip().lower())
    except ValueError:
        known = ", ".join(member.value for member in enum)
        message = f"{unknown} « {value} » ; valeurs admises : {known}."
        raise InvalidInput.single(field, code, message) from None


class Decision(StrEnum):
    DUPLICATE = "duplicate"
    NOT_DUPLICATE = "not_duplicate"
    HOMONYM = "homonym"
    COLLISION = "collision"

    @property
    def label(self) -> str:
        return DECISION_LABELS[self]

    @classmethod
    def parse(cls, value: str | None) -> Decision:
        return _parse(
            cls, value, field="decision", code="decision_unknown", unknown="Décision inconnue"
        )


DECISION_LABELS = {
    Decision.DUPLICATE: "Doublon avéré (DOUA), à fusionner",
    Decision.NOT_DUPLICATE: "Pas un doublon",
    Decision.HOMONYM: "Homonymes (HOMA)",
    Decision.COLLISION: "Collision (deux personnes dans un dossier)",
}


class ReviewStatus(StrEnum):
    PENDING = "pending"
    DUPLICATE = "duplicate"
    NOT_DUPLICATE = "not_duplicate"
    HOMONYM = "homonym"
    COLLISION = "collision"
    MERGED = "merged"

    @property
    def is_open(self) -> bool:
        """Still awaiting work: a decision, or the merge of a confirmed duplicate."""
        return self in (ReviewStatus.PENDING, ReviewStatus.DUPLICATE)

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @classmethod
    def parse(cls, value: str | None) -> ReviewStatus:
        return _parse(
            cls, value, field="status", code="review_status_unknown", unknown="Statut inconnu"
        )


STATUS_LABELS = {
    ReviewStatus.PENDING: "À examiner",
    ReviewStatus.DUPLICATE: "Doublon avéré (à fusionner)",
    ReviewStatus.NOT_DUPLICATE: "Pas un doublon",
    ReviewStatus.HOMONYM: "Homonymes",
    ReviewStatus.COLLISION: "Collision",
    ReviewStatus.MERGED: "Fusionné",
}
#: Statuses of a decision that is remembered until a trait of either identity changes.
REMEMBERED = frozenset({ReviewStatus.NOT_DUPLICATE, ReviewStatus.HOMONYM, ReviewStatus.COLLISION})


class Source(StrEnum):
    """Where the pair was found."""

    SCAN = "scan"  # the batch scan (identito duplicates scan, the scheduler)
    CREATION = "creation"  # the creation of one of the identities
    CHANGE = "change"  # a change of traits of one of the identities
    INS_HELD = "ins_held"  # a matricule refused: another active identity holds it (R-DU-03)
    SENDER_ID = "sender_id"  # messages of one sender's patient identifier went to both (0018)

    @property
    def label(self) -> str:
        return SOURCE_LABELS[self]


SOURCE_LABELS = {
    Source.SCAN: "analyse de la base",
    Source.CREATION: "création",
    Source.CHANGE: "modification des traits",
    Source.INS_HELD: "matricule INS déjà porté (R-DU-03)",
    Source.SENDER_ID: "même identifiant patient d'un émetteur (IPP)",
}


@dataclass(frozen=True)
class DuplicateReview:
    first_id: UUID
    second_id: UUID
    score: float
    blocking: bool
    explanation: tuple[TraitAgreement, ...]
    found_at: datetime
    #: When the pair was last scored (found again by a scan or a change).
    scored_at: datetime
    source: Source = Source.SCAN
    status: ReviewStatus = ReviewStatus.PENDING
    decided_at: datetime | None = None
    decided_by: str | None = None
    note: str | None = None
    #: ``fingerprint`` of both identities when the decision was taken.
    fingerprint: str | None = None
    id: UUID = field(default_factory=new_id)

    @classmethod
    def found(cls, pair: ScoredPair, *, now: datetime, source: Source) -> DuplicateReview:
        if pair.first_id >= pair.second_id:
            raise ValueError("a scored pair is ordered: first_id < second_id")
        return cls(
            pair.first_id, pair.second_id, pair.score, pair.blocking, pair.explanation,
            found_at=now, scored_at=now, source=source,
        )  # fmt: skip

    def involves(self, identity_id: UUID) -> bool:
        return identity_id in (self.first_id, self.second_id)

    def found_again(self, pair: ScoredPair, fingerprint: str, *, now: datetime) -> DuplicateReview:
        """The same pair detected again: refreshed, reopened, or left as decided."""
        if self.status in REMEMBERED and self.fingerprint == fingerprint:
            return self
        if self.status is ReviewStatus.DUPLICATE:
            return self
        rescored = replace(
            self, score=pair.score, blocking=pair.blocking, explanation=pair.explanation,
            scored_at=now,
        )  # fmt: skip
        if self.status is ReviewStatus.PENDING:
            return rescored
        return replace(  # a trait changed since the decision, or the merge was undone
            rescored, status=ReviewStatus.PENDING, decided_at=None, decided_by=None,
            note=None, fingerprint=None,
        )  # fmt: skip

    def decide(
        self, decision: Decision, *, fingerprint: str, by: str, now: datetime, note: str | None
    ) -> DuplicateReview:
        """Record a decision on a pending review (a confirmed duplicate may still be undone
        into another decision until it is merged)."""
        if not self.status.is_open:
            raise InvalidTransition(
                f"Cette paire est déjà close ({self.status.label.lower()}) : "
                "elle ne revient à examiner que si un trait de l'une des identités change.",
                rule="review_closed",
            )
        return replace(
            self, status=ReviewStatus(decision.value), decided_at=now, decided_by=by,
            note=note, fingerprint=fingerprint,
        )  # fmt: skip

    def close_merged(self, *, now: datetime, by: str) -> DuplicateReview:
        return replace(self, status=ReviewStatus.MERGED, decided_at=now, decided_by=by)


def fingerprint(first: IdentityState, second: IdentityState) -> str:
    """A digest of both identities' traits and matricules, in pair order.

    Equal as long as no trait (nor the matricule) of either identity changes.
    """
    ordered = sorted((first, second), key=lambda i: i.id)
    picture = [
        {**i.traits.as_dict(), "ins": i.ins.number.number if i.ins else None} for i in ordered
    ]
    text = json.dumps(picture, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def ordered_pair(a: UUID, b: UUID) -> tuple[UUID, UUID]:
    return (a, b) if a < b else (b, a)
