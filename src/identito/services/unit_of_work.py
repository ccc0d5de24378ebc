"""Ports of the service layer: repositories and the unit of work.

Only the unit of work commits. On commit it writes, in the same transaction,
one audit row per event recorded by the identities it has seen, one per read
noted with ``note_read``, and queues the events to propagate (outbox).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from types import TracebackType
from typing import Any, Protocol, Self
from uuid import UUID

from identito.domain.anteriority import AnteriorityQuery, Candidate
from identito.domain.duplicates import MatchRecord
from identito.domain.events import AuditAction
from identito.domain.identifiers import Ins
from identito.domain.identity import Identity
from identito.domain.ids import new_id
from identito.domain.merges import Merge
from identito.domain.permissions import Actor, Role
from identito.domain.trait_set import Traits
from identito.domain.traits import Sex
from identito.services.duplicate_model_store import DuplicateModelStore
from identito.services.duplicate_records import DuplicateReviewRepository
from identito.services.import_records import ImportJobStore
from identito.services.insi_records import InsiCallRepository, InsiWorklistRepository
from identito.services.interface_records import InterfaceAccountRepository
from identito.services.login_records import LoginThrottleStore
from identito.services.verification_records import (
    CampaignRepository,
    LeaseStore,
    ReceptionLog,
    VigilanceRepository,
)


@dataclass(frozen=True)
class SearchCriteria:
    """Anteriority search: separate fields, compared as search keys."""

    birth_date: date | None = None
    name_key: str | None = None  # matched as a prefix of birth name or used name
    first_name_key: str | None = None  # prefix of any birth first name or the used first name
    sex: Sex | None = None
    ins_number: str | None = None  # exact matricule search
    nss_number: str | None = None  # exact billing NSS search (never matches an INS)
    limit: int = 50


@dataclass(frozen=True)
class AuditQuery:
    """Audit rows of the journal, newest first: every bound optional, ``until`` exclusive."""

    identity_id: UUID | None = None
    since: datetime | None = None
    until: datetime | None = None
    actor: str | None = None
    action: AuditAction | None = None
    offset: int = 0
    limit: int = 50


@dataclass(frozen=True)
class AuditEntry:
    actor: str
    at: datetime
    action: AuditAction
    identity_id: UUID | None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    reason: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    id: UUID = field(default_factory=new_id)
    #: Read back from storage: does the row still match its hash? (None: not checked.)
    intact: bool | None = None


@dataclass(frozen=True)
class User:
    username: str
    role: Role
    password_hash: str
    active: bool = True
    id: UUID = field(default_factory=new_id)


@dataclass(frozen=True)
class Token:
    token_hash: str
    username: str
    expires_at: datetime


@dataclass(frozen=True)
class WebSession:
    """A web session, stored hashed in the database (any process behind a load balancer
    accepts it); ``csrf_token`` is bound to it and checked on every form."""

    token_hash: str
    username: str
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime


#: (month ``YYYY-MM``, dimension ``status``/``attribute``, value ``PROV``/``DOUT``...)
IndicatorKey = tuple[str, str, str]


class IdentityRepository(Protocol):
    """``add`` and ``update`` refuse an identity whose matricule another active identity
    holds (R-DU-03, ``domain.ins_uniqueness.InsAlreadyHeld``): every write of a
    matricule goes through them."""

    def add(self, identity: Identity) -> None: ...

    def get(self, identity_id: UUID) -> Identity:
        """Raise ``NotFound`` when there is no such identity."""
        ...

    def update(self, identity: Identity) -> None:
        """Save a changed identity; raise ``StaleVersion`` when its version is outdated.

        On success ``identity.version`` is the new version.
        """
        ...

    def search(self, criteria: SearchCriteria) -> list[Identity]:
        """Active identities only (a merged one is found through its survivor)."""
        ...

    def anteriority_candidates(self, query: AnteriorityQuery) -> list[Candidate]:
        """Identities whose search keys (``domain.anteriority``) may answer the query,
        merged ones included, each with the active identity it leads to; at least
        every one that ``anteriority.closeness`` accepts (``rank`` filters and orders)."""
        ...

    def lock_creation(self, number: int) -> None:
        """Until the end of the transaction, other creations locking ``number`` wait
        (``services.same_person``): across processes, never in-process."""
        ...

    def reserve_strict_traits(self, traits: Traits) -> UUID | None:
        """``lock_creation`` of these strict traits (``domain.same_person.lock_number``),
        then an active, non-merged identity having them
        (``domain.same_person.same_strict_traits``), or None."""
        ...

    def ins_holders(self, ins: Ins, *, excluding: UUID | None = None) -> list[UUID]:
        """Active, non-merged identities holding this matricule (number and OID), but
        ``excluding``; those in collision included."""
        ...

    def candidates(self, identity: Identity, *, limit: int) -> list[Identity]:
        """Blocking for duplicate detection: identities sharing the birth date, the
        day-month-swapped birth date or the active matricule INS, or born the same
        year with a birth or used name starting with the same 3 letters of a name
        key. At most ``limit``, same birth date first; ``identity`` may be among them.
        Inactive (merged) identities are never candidates.
        """
        ...

    def seen(self) -> Sequence[Identity]:
        """Identities added, fetched or updated in this unit of work."""
        ...

    def scan_records(self) -> Iterator[MatchRecord]:
        """Every active identity as a comparison record (batch duplicate scan), streamed."""
        ...


class MergeRepository(Protocol):
    def add(self, merge: Merge) -> None: ...

    def get(self, merge_id: UUID) -> Merge:
        """Raise ``NotFound`` when there is no such merge."""
        ...

    def update(self, merge: Merge) -> None:
        """Save the undoing of a merge (``undone_at``, ``undone_by``)."""
        ...

    def active_into(self, survivor_id: UUID) -> list[Merge]:
        """The merges into ``survivor_id`` not undone, oldest first (FHIR ``replaces``)."""
        ...


class AuditLog(Protocol):
    def write(self, entries: Iterable[AuditEntry]) -> None: ...

    def for_identity(self, identity_id: UUID) -> list[AuditEntry]: ...

    def search(self, query: AuditQuery) -> list[AuditEntry]:
        """The rows of ``query``, newest first, ``query.limit`` at most from ``offset``."""
        ...

    def count(self, query: AuditQuery) -> int:
        """How many rows ``query`` matches (offset and limit aside)."""
        ...

    def actors(self, identity_id: UUID | None) -> list[str]:
        """Who wrote rows (about ``identity_id`` when given), sorted."""
        ...


class UserRepository(Protocol):
    def add(self, user: User) -> None: ...

    def get(self, username: str) -> User | None: ...

    def list(self) -> list[User]: ...

    def add_token(self, token: Token) -> None: ...

    def get_token(self, token_hash: str) -> Token | None: ...

    def delete_token(self, token_hash: str) -> bool:
        """Revoke one token; False when it did not exist."""
        ...

    def delete_tokens(self, username: str, *, expired_at: datetime | None = None) -> int:
        """Revoke the tokens of a user (only those expired at ``expired_at`` when
        given); the number deleted."""
        ...

    def update(self, user: User) -> None:
        """Save the role, the active flag and the password hash of an existing user."""
        ...


class SessionStore(Protocol):
    """Web sessions (stored in the database, shared by every process)."""

    def add(self, session: WebSession) -> None: ...

    def get(self, token_hash: str) -> WebSession | None: ...

    def touch(self, token_hash: str, at: datetime) -> None: ...

    def delete(self, token_hash: str) -> None: ...

    def delete_for_user(self, username: str, *, keep: str | None = None) -> int:
        """End the sessions of a user but the one hashed ``keep``; the number ended."""
        ...

    def delete_idle(self, seen_before: datetime) -> None: ...

    def for_user(self, username: str) -> list[WebSession]:
        """The stored sessions of a user (live or not yet swept), oldest first."""
        ...


class IndicatorStore(Protocol):
    """Monthly net changes of the counts of identities by status and attribute."""

    def add(self, deltas: dict[IndicatorKey, int]) -> None:
        """Add the net changes of one commit (written in the same transaction)."""
        ...

    def monthly(self) -> dict[IndicatorKey, int]:
        """The net change of every (month, dimension, value) recorded so far."""
        ...


class PreferenceStore(Protocol):
    """Organisation settings changed at run time (stored in the database)."""

    def get_all(self) -> dict[str, Any]: ...

    def set(self, key: str, value: Any, *, by: str, at: datetime) -> None: ...


class UnitOfWork(Protocol):
    identities: IdentityRepository
    merges: MergeRepository
    duplicate_reviews: DuplicateReviewRepository
    duplicate_model: DuplicateModelStore
    audit: AuditLog
    users: UserRepository
    preferences: PreferenceStore
    insi_calls: InsiCallRepository
    insi_worklists: InsiWorklistRepository
    sessions: SessionStore
    indicators: IndicatorStore
    campaigns: CampaignRepository
    vigilance: VigilanceRepository
    receptions: ReceptionLog
    leases: LeaseStore
    imports: ImportJobStore
    login_throttles: LoginThrottleStore
    interface_accounts: InterfaceAccountRepository

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back whatever was not committed."""
        ...

    def note_read(self, identity: Identity, actor: Actor, at: datetime) -> None:
        """Audit a read that returned the matricule (written at commit)."""
        ...

    def add_audit(self, entry: AuditEntry) -> None:
        """Audit something that is not an identity event (written at commit)."""
        ...

    def commit(self, actor: Actor, at: datetime) -> None: ...

    def rollback(self) -> None: ...


def audit_entries(identities: Iterable[Identity], actor: Actor, at: datetime) -> list[AuditEntry]:
    """Turn the pending events of identities into audit rows (shared by every UoW)."""
    entries = []
    for identity in identities:
        for event in identity.pop_events():
            entries.append(
                AuditEntry(
                    actor=actor.username,
                    at=at,
                    action=event.action,
                    identity_id=identity.id,
                    before=event.before,
                    after=event.after,
                    reason=event.reason,
                    details={**event.details, "propagate": event.propagate}
                    if event.propagate
                    else dict(event.details),
                )
            )
    return entries
