"""``SqlUnitOfWork``: one SQLAlchemy Core connection, one explicit transaction.

``commit`` writes the queued identities, the audit rows of their events and of
the noted reads, and the outbox rows of the events to propagate, then commits:
all in one transaction. A new transaction begins for any following work in the
same ``with`` block; leaving the block rolls back whatever was not committed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine, RootTransaction

from identito.adapters.audit import SqlAuditLog, SqlOutbox
from identito.adapters.database import create_engine_for, dispose_engines, engine_for
from identito.adapters.duplicate_model import SqlDuplicateModelStore
from identito.adapters.duplicate_reviews import SqlDuplicateReviewRepository
from identito.adapters.import_jobs import SqlImportJobStore
from identito.adapters.insi_calls import SqlInsiCallRepository, SqlInsiWorklistRepository
from identito.adapters.interface_accounts import SqlInterfaceAccountRepository
from identito.adapters.login_throttles import SqlLoginThrottleStore
from identito.adapters.merges import SqlMergeRepository
from identito.adapters.preferences import SqlPreferenceStore
from identito.adapters.repository import SqlIdentityRepository
from identito.adapters.sessions import SqlIndicatorStore, SqlSessionStore
from identito.adapters.users import SqlUserRepository
from identito.adapters.verification_store import (
    SqlCampaignRepository,
    SqlLeaseStore,
    SqlReceptionLog,
    SqlVigilanceRepository,
)
from identito.domain.events import AuditAction
from identito.domain.identity import Identity
from identito.domain.permissions import Actor
from identito.services.indicators import indicator_deltas
from identito.services.unit_of_work import AuditEntry, audit_entries

__all__ = ["SqlUnitOfWork", "create_engine_for", "dispose_engines", "sql_uow_factory"]


class SqlUnitOfWork:
    identities: SqlIdentityRepository
    merges: SqlMergeRepository
    duplicate_reviews: SqlDuplicateReviewRepository
    duplicate_model: SqlDuplicateModelStore
    audit: SqlAuditLog
    users: SqlUserRepository
    outbox: SqlOutbox
    preferences: SqlPreferenceStore
    insi_calls: SqlInsiCallRepository
    insi_worklists: SqlInsiWorklistRepository
    sessions: SqlSessionStore
    indicators: SqlIndicatorStore
    campaigns: SqlCampaignRepository
    vigilance: SqlVigilanceRepository
    receptions: SqlReceptionLog
    leases: SqlLeaseStore
    imports: SqlImportJobStore
    login_throttles: SqlLoginThrottleStore
    interface_accounts: SqlInterfaceAccountRepository

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._connection: Connection | None = None
        self._transaction: RootTransaction | None = None
        self._reads: list[AuditEntry] = []

    def __enter__(self) -> Self:
        if self._connection is not None:
            raise RuntimeError("This unit of work is already in use.")
        self._connection = self.engine.connect()
        self._transaction = self._connection.begin()
        self.identities = SqlIdentityRepository(self._connection)
        self.merges = SqlMergeRepository(self._connection)
        self.duplicate_reviews = SqlDuplicateReviewRepository(self._connection)
        self.duplicate_model = SqlDuplicateModelStore(self._connection)
        self.audit = SqlAuditLog(self._connection)
        self.users = SqlUserRepository(self._connection)
        self.outbox = SqlOutbox(self._connection)
        self.preferences = SqlPreferenceStore(self._connection)
        self.insi_calls = SqlInsiCallRepository(self._connection)
        self.insi_worklists = SqlInsiWorklistRepository(self._connection)
        self.sessions = SqlSessionStore(self._connection)
        self.indicators = SqlIndicatorStore(self._connection)
        self.campaigns = SqlCampaignRepository(self._connection)
        self.vigilance = SqlVigilanceRepository(self._connection)
        self.receptions = SqlReceptionLog(self._connection)
        self.leases = SqlLeaseStore(self._connection)
        self.imports = SqlImportJobStore(self._connection)
        self.login_throttles = SqlLoginThrottleStore(self._connection)
        self.interface_accounts = SqlInterfaceAccountRepository(self._connection)
        self._reads = []
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            if self._transaction is not None and self._transaction.is_active:
                self._transaction.rollback()
        finally:
            self._transaction = None
            connection.close()

    def note_read(self, identity: Identity, actor: Actor, at: datetime) -> None:
        self._reads.append(
            AuditEntry(
                actor=actor.username,
                at=at,
                action=AuditAction.IDENTITY_READ,
                identity_id=identity.id,
            )
        )

    def add_audit(self, entry: AuditEntry) -> None:
        self._reads.append(entry)

    def commit(self, actor: Actor, at: datetime) -> None:
        transaction = self._active()
        self.identities.flush()
        entries = [*audit_entries(self.identities.seen(), actor, at), *self._reads]
        self.audit.write(entries)
        self.outbox.add(entries)
        self.imports.flush()  # import progress: after the rows, before the commit
        self.indicators.add(indicator_deltas(entries))
        transaction.commit()
        self._reads = []
        self._begin()

    def rollback(self) -> None:
        self._active().rollback()
        self.identities.discard()
        self.imports.discard()
        self._reads = []
        self._begin()

    def _active(self) -> RootTransaction:
        if self._transaction is None:
            raise RuntimeError("Enter the unit of work (with uow: ...) before using it.")
        return self._transaction

    def _begin(self) -> None:
        assert self._connection is not None
        self._transaction = self._connection.begin()


def sql_uow_factory(database_url: str) -> Callable[[], SqlUnitOfWork]:
    """Units of work on one engine, created once for the URL."""
    engine = engine_for(database_url)
    return lambda: SqlUnitOfWork(engine)
