"""Records of INSi calls and worklists, and the ports that store them.

Every call to the teleservice becomes one ``InsiCall`` (R-TRC-01): who, when,
mode, credential, outcome, the raw request and response exactly as exchanged,
the comparison shown to the user and the decision taken on it. The storage
compresses the raw messages; listings leave them out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol
from uuid import UUID, uuid4

from identito.domain.insi import InsiOutcome


class Decision(StrEnum):
    """What became of a ``00`` answer."""

    AUTOMATIC = "automatic"  # integrated without confirmation (similarity at the threshold)
    PENDING = "pending"  # waits for the user's confirmation
    ACCEPTED = "accepted"  # integrated on the user's confirmation
    REJECTED = "rejected"  # the user refused the INSi identity
    REFUSED = "refused"  # could not be integrated (incomplete answer, blocked identity)

    @property
    def label(self) -> str:
        return DECISION_LABELS[self]


DECISION_LABELS = {
    Decision.AUTOMATIC: "Intégrée automatiquement (traits identiques)",
    Decision.PENDING: "En attente de décision",
    Decision.ACCEPTED: "Acceptée et intégrée",
    Decision.REJECTED: "Refusée par l'utilisateur",
    Decision.REFUSED: "Non intégrable",
}


@dataclass(frozen=True)
class InsiCall:
    """The trace of one call to the teleservice."""

    actor: str
    at: datetime
    mode: str  # CallMode value
    authentication: str
    outcome: InsiOutcome
    query: dict[str, Any]
    identity_id: UUID | None = None
    identity_version: int | None = None  # version the comparison was made against
    attempt_id: UUID = field(default_factory=uuid4)  # the calls of one recovery
    sequence: int = 1  # rank of the call in its attempt
    automatic: bool = False
    error_code: str | None = None
    message: str | None = None  # LibelleCR, or the French error message
    request: bytes | None = None  # exactly as sent (None in listings)
    response: bytes | None = None  # exactly as received (None in listings)
    duration_ms: float | None = None
    answer: dict[str, Any] | None = None  # the INSi identity of a 00 answer
    comparison: dict[str, Any] | None = None
    similarity: float | None = None
    applied: bool = False
    decision: Decision | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    id: UUID = field(default_factory=uuid4)

    def decided(self, decision: Decision, by: str, at: datetime, *, applied: bool) -> InsiCall:
        return replace(self, decision=decision, decided_by=by, decided_at=at, applied=applied)


class InsiCallRepository(Protocol):
    def add(self, call: InsiCall) -> None: ...

    def get(self, call_id: UUID) -> InsiCall:
        """The call with its raw messages; raise ``NotFound`` when unknown."""
        ...

    def update_decision(self, call: InsiCall) -> None:
        """Save ``applied``, ``decision``, ``decided_by`` and ``decided_at``."""
        ...

    def for_identity(self, identity_id: UUID) -> list[InsiCall]:
        """The calls about an identity, oldest first, without raw messages."""
        ...

    def since(self, at: datetime) -> list[InsiCall]:
        """Every call from ``at`` on, oldest first, without raw messages (indicators)."""
        ...


class ItemState(StrEnum):
    PENDING = "pending"
    STARTED = "started"  # the recovery began: its calls may exist
    DONE = "done"
    FAILED = "failed"  # refused before any call (blocked identity, unknown id...)

    @property
    def label(self) -> str:
        return ITEM_STATE_LABELS[self]


ITEM_STATE_LABELS = {
    ItemState.PENDING: "À traiter",
    ItemState.STARTED: "En cours",
    ItemState.DONE: "Traitée",
    ItemState.FAILED: "Refusée avant l'appel",
}


@dataclass(frozen=True)
class WorklistItem:
    worklist_id: UUID
    position: int
    identity_id: UUID
    state: ItemState = ItemState.PENDING
    outcome: str | None = None
    applied: bool = False
    message: str | None = None
    started_at: datetime | None = None
    processed_at: datetime | None = None


@dataclass(frozen=True)
class Worklist:
    source: str  # "csv:<digest>" or "query:<name>": finds the list to resume
    label: str
    created_by: str
    created_at: datetime
    total: int
    finished_at: datetime | None = None
    id: UUID = field(default_factory=uuid4)


class InsiWorklistRepository(Protocol):
    def add(self, worklist: Worklist, identity_ids: Sequence[UUID]) -> None: ...

    def get(self, worklist_id: UUID) -> Worklist:
        """Raise ``NotFound`` when unknown."""
        ...

    def unfinished(self, source: str) -> Worklist | None:
        """The latest unfinished worklist of a source (to resume it)."""
        ...

    def items(
        self, worklist_id: UUID, states: Iterable[ItemState] | None = None
    ) -> list[WorklistItem]:
        """Items in position order, optionally only those in ``states``."""
        ...

    def save_item(self, item: WorklistItem) -> None: ...

    def finish(self, worklist_id: UUID, at: datetime) -> None: ...

    def open_items(self) -> int:
        """Identities still to call (pending or started) in the unfinished worklists."""
        ...

    def identities_without_ins(self, limit: int) -> list[UUID]:
        """PROV and VALI identities that may be sent to INSi (neither DOUT nor FICT)."""
        ...
