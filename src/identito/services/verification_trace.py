"""The INSi call records of a campaign run's batch operations (deposit, fetch).

Each deposit and each fetch of a batch is traced like any other INSi call (mode
``batch_verify``), its query naming the operation, the run, the batch and the number
of items; a failed operation keeps the error code and the raw exchange.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from uuid import UUID

from identito.domain.insi import InsiOutcome
from identito.services.insi_records import InsiCall
from identito.services.insi_trace import error_code
from identito.services.teleservice import CallContext, CallMode, TeleserviceError


@dataclass(frozen=True)
class BatchTrace:
    """Builds the trace of the batch operations of one run, made as ``username``."""

    username: str
    context: CallContext
    run_id: UUID

    def call(
        self,
        operation: str,
        at: datetime,
        started: float,
        outcome: InsiOutcome,
        batch_id: str | None,
        count: int,
    ) -> InsiCall:
        """The trace of an operation begun at ``at`` (``started``: its perf counter)."""
        return InsiCall(
            actor=self.username,
            at=at,
            mode=CallMode.BATCH_VERIFY.value,
            authentication=self.context.authentication.value,
            outcome=outcome,
            query=self._query(operation, count, batch_id),
            automatic=True,
            message=batch_id,
            duration_ms=(time.perf_counter() - started) * 1000,
        )

    def error(
        self,
        operation: str,
        count: int,
        at: datetime,
        started: float,
        error: TeleserviceError,
        batch_id: str | None = None,
    ) -> InsiCall:
        """The trace of an operation that failed with ``error``."""
        call = self.call(operation, at, started, InsiOutcome.ERROR, batch_id, count)
        exchange = error.exchange
        return replace(
            call,
            error_code=error_code(error),
            message=error.message,
            request=exchange.request if exchange else None,
            response=exchange.response if exchange else None,
        )

    def _query(self, operation: str, count: int, batch_id: str | None) -> dict[str, Any]:
        return {
            "operation": operation,
            "run_id": str(self.run_id),
            "batch_id": batch_id,
            "count": count,
        }
