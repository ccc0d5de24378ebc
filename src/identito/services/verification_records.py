"""Records of INS verification (campaigns, runs and items, scheduler leases) and the
ports that store them. The identity-vigilance entries (``services.vigilance_records``)
and the received messages (``services.reception_records``) are re-exported from
their own modules.

A campaign (``Campaign``) is configuration: its perimeter and frequency. Each time
it is due, a run (``CampaignRun``) fixes the list of identities to verify as items
(``CampaignItem``) whose state moves ``pending`` -> ``deposited`` (in a batch, with
its id) -> ``done`` (with a result): every move is committed, so a run killed at any
point resumes where it stopped (docs/verification.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol
from uuid import UUID

from identito.domain.ids import new_id
from identito.services.reception_records import ReceivedMessage, ReceptionLog, ReceptionOutcome
from identito.services.teleservice import VerificationQuery
from identito.services.vigilance_records import (
    DECISION_LABELS,
    DECISIONS,
    ENTRY_LABELS,
    TO_VERIFY,
    EntryDecision,
    EntryKind,
    VigilanceEntry,
    VigilanceRepository,
)

__all__ = [
    "DECISIONS",
    "DECISION_LABELS",
    "ENTRY_LABELS",
    "SAVED_QUERIES",
    "TO_VERIFY",
    "Campaign",
    "CampaignItem",
    "CampaignRepository",
    "CampaignRun",
    "EntryDecision",
    "EntryKind",
    "ItemDone",
    "ItemState",
    "LeaseStore",
    "Perimeter",
    "ReceivedMessage",
    "ReceptionLog",
    "ReceptionOutcome",
    "VerificationResult",
    "VigilanceEntry",
    "VigilanceRepository",
]


class VerificationResult(StrEnum):
    OK = "OK"
    KO = "KO"
    ERROR = "error"  # no usable answer for this identity
    SKIPPED = "skipped"  # no matricule any more when its turn came

    @property
    def label(self) -> str:
        return RESULT_LABELS[self]


RESULT_LABELS = {
    VerificationResult.OK: "INS confirmé (OK)",
    VerificationResult.KO: "INS refusé (KO)",
    VerificationResult.ERROR: "Erreur",
    VerificationResult.SKIPPED: "Sans matricule (ignorée)",
}


class Perimeter(StrEnum):
    STALE = "stale"  # INS not verified (nor recovered) for ``years`` years
    NIA = "nia"  # every identity whose INS is a NIA
    QUERY = "query"  # a saved query (``SAVED_QUERIES``)


#: Saved queries a campaign may use as its perimeter.
SAVED_QUERIES = {
    "with-ins": "Toutes les identités portant un matricule INS",
    "qualified": "Identités qualifiées",
    "retrieved": "Identités récupérées",
}


class ItemState(StrEnum):
    PENDING = "pending"
    DEPOSITED = "deposited"  # sent in a batch (``batch_id``): fetched, never re-deposited
    DONE = "done"


@dataclass(frozen=True)
class Campaign:
    name: str
    perimeter: Perimeter
    created_by: str
    created_at: datetime
    years: int = 5
    query: str | None = None
    frequency_days: int | None = None  # None: run once
    batch_size: int = 500
    use_batch: bool = True  # False: unit calls at ``unit_rate`` per second
    unit_rate: float = 10.0
    next_run_at: datetime | None = None
    active: bool = True
    id: UUID = field(default_factory=new_id)

    @property
    def perimeter_label(self) -> str:
        if self.perimeter is Perimeter.STALE:
            return f"INS non vérifiés depuis {self.years} an(s)"
        if self.perimeter is Perimeter.NIA:
            return "Identités dont l'INS est un NIA"
        return SAVED_QUERIES.get(self.query or "", self.query or "")


@dataclass(frozen=True)
class CampaignRun:
    campaign_id: UUID
    started_by: str
    started_at: datetime
    total: int
    finished_at: datetime | None = None
    id: UUID = field(default_factory=new_id)


@dataclass(frozen=True)
class CampaignItem:
    run_id: UUID
    position: int
    identity_id: UUID
    state: ItemState = ItemState.PENDING
    ins_number: str | None = None  # the matricule sent (kept for the KO list)
    batch_id: str | None = None
    result: VerificationResult | None = None
    message: str | None = None
    processed_at: datetime | None = None


@dataclass(frozen=True)
class ItemDone:
    """The result of one item, written when its batch (or unit call) is concluded."""

    position: int
    result: VerificationResult
    message: str | None = None
    ins_number: str | None = None


class CampaignRepository(Protocol):
    def add(self, campaign: Campaign) -> None: ...

    def get(self, campaign_id: UUID) -> Campaign:
        """Raise ``NotFound`` when unknown."""
        ...

    def all(self) -> list[Campaign]: ...

    def save(self, campaign: Campaign) -> None: ...

    def perimeter(self, campaign: Campaign, now: datetime) -> Iterator[UUID]:
        """Ids of the identities the campaign verifies now, in a stable order."""
        ...

    def add_run(self, run: CampaignRun, identity_ids: Iterable[UUID]) -> int:
        """Store the run and one pending item per id; return the number of items."""
        ...

    def get_run(self, run_id: UUID) -> CampaignRun: ...

    def runs(self, campaign_id: UUID) -> list[CampaignRun]:
        """Runs of a campaign, latest first."""
        ...

    def unfinished_run(self, campaign_id: UUID) -> CampaignRun | None: ...

    def finish_run(self, run_id: UUID, at: datetime) -> None: ...

    def pending(self, run_id: UUID, limit: int) -> list[CampaignItem]: ...

    def deposited_batches(self, run_id: UUID) -> list[str]: ...

    def batch_items(self, run_id: UUID, batch_id: str) -> list[CampaignItem]: ...

    def mark_deposited(self, run_id: UUID, batch_id: str, sent: Sequence[tuple[int, str]]) -> None:
        """Items (position, matricule sent) now in batch ``batch_id``."""
        ...

    def reset_batch(self, run_id: UUID, batch_id: str) -> None:
        """A batch the teleservice does not know: its items are pending again."""
        ...

    def mark_done(self, run_id: UUID, done: Sequence[ItemDone], at: datetime) -> None: ...

    def counts(self, run_id: UUID) -> dict[tuple[str, str | None], int]:
        """Number of items by (state, result)."""
        ...

    def items_with_result(self, run_id: UUID, result: VerificationResult) -> list[CampaignItem]: ...

    def verification_queries(
        self, identity_ids: Sequence[UUID]
    ) -> dict[UUID, VerificationQuery | None]:
        """The query of each identity (its matricule, OID and traits); None without INS."""
        ...

    def mark_verified(self, identity_ids: Sequence[UUID], at: datetime) -> None:
        """Record the date of the last verification OK of these identities."""
        ...

    def unconfirmed(self, identity_ids: Sequence[UUID]) -> set[UUID]:
        """Those of these identities whose matricule is held but not confirmed (typed...)."""
        ...

    def last_verified(self, identity_id: UUID) -> datetime | None: ...

    def outcomes_since(self, since: datetime) -> dict[tuple[str, str], int]:
        """Campaign results since ``since`` by (month ``YYYY-MM``, result)."""
        ...


class LeaseStore(Protocol):
    """Named leases in the database: one holder at a time, until it expires."""

    def acquire(self, name: str, holder: str, now: datetime, until: datetime) -> bool: ...

    def release(self, name: str, holder: str) -> None: ...
