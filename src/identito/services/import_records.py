"""Records of an import job (issue 12) and the port that stores them.

An import is a job keyed by the sha256 of its file. Every batch commits, in ONE
transaction, its identities, their audit rows, its rejected lines and a
``BatchDone`` (the lines it covered): after a crash, a rerun of the same file skips
exactly the committed lines. ``runner`` is a token drawn by each run: a batch is
only recorded for the job's current runner, so an older run still going after a
newer one took the job over has its batch refused (rolled back), never doubled.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol
from uuid import UUID

from identito.domain.errors import DomainError, FieldError

Row = tuple[int, Mapping[str, Any]]


class ImportState(StrEnum):
    RUNNING = "running"  # started, not finished (interrupted or still going)
    DONE = "done"

    @property
    def label(self) -> str:
        return IMPORT_STATE_LABELS[self]


IMPORT_STATE_LABELS = {
    ImportState.RUNNING: "inachevé",  # interrupted or running
    ImportState.DONE: "terminé",
}


@dataclass(frozen=True)
class RejectedRow:
    line: int
    errors: tuple[FieldError, ...]


@dataclass(frozen=True)
class ImportJob:
    id: UUID
    file_digest: str
    file_name: str
    actor: str
    runner: str
    started_at: datetime
    state: ImportState = ImportState.RUNNING
    batches: int = 0
    rows_done: int = 0
    imported: int = 0
    rejects: int = 0
    updated_at: datetime | None = None
    finished_at: datetime | None = None


@dataclass(frozen=True)
class BatchDone:
    """A committed batch: the lines from ``first_line`` to ``last_line`` (all handled)."""

    first_line: int
    last_line: int
    rows: int
    imported: int
    rejected: tuple[RejectedRow, ...]


class ImportTakenOver(DomainError):
    """Another run of the same file took the job over: this run stops, its batch unsaved."""

    def __init__(self, file_name: str) -> None:
        super().__init__(
            f"Un autre lancement de l'import de {file_name} a repris ce travail : "
            "ce lancement s'arrête sans rien enregistrer de plus."
        )


class ImportJobStore(Protocol):
    def by_digest(self, digest: str) -> ImportJob | None: ...

    def add(self, job: ImportJob) -> bool:
        """Store a new job; ``False`` when a job for the same digest already exists."""
        ...

    def take_over(self, job_id: UUID, runner: str, at: datetime) -> None:
        """Make ``runner`` the only run allowed to record batches of the job."""
        ...

    def committed(self, job_id: UUID) -> list[tuple[int, int]]:
        """The ``(first_line, last_line)`` of every committed batch."""
        ...

    def record_batch(self, job: ImportJob, batch: BatchDone, at: datetime) -> None:
        """Record ``batch`` in the unit of work's transaction (written at its commit, with
        the identities); the commit raises ``ImportTakenOver`` if the runner changed."""
        ...

    def finish(self, job: ImportJob, at: datetime) -> None:
        """Mark the job done (its current runner only, else ``ImportTakenOver``)."""
        ...

    def rejects(self, job_id: UUID) -> list[RejectedRow]:
        """Every rejected line recorded for the job, by line."""
        ...

    def recent(self, limit: int) -> list[ImportJob]:
        """The latest jobs, most recent first."""
        ...


class CommittedLines:
    """Lines already committed by a job: the union of its batches' ranges.

    Batches are cut from consecutive rows of what remains, so every line inside a
    committed range was handled by some committed batch.
    """

    def __init__(self, ranges: Iterable[tuple[int, int]]) -> None:
        merged: list[list[int]] = []
        for first, last in sorted(ranges):
            if merged and first <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], last)
            else:
                merged.append([first, last])
        self._starts = [first for first, _ in merged]
        self._ends = [last for _, last in merged]

    def __contains__(self, line: object) -> bool:
        if not isinstance(line, int):
            return False
        index = bisect_right(self._starts, line) - 1
        return index >= 0 and line <= self._ends[index]

    def remaining(self, rows: Iterable[Row]) -> Iterator[Row]:
        if not self._starts:
            yield from rows
            return
        for row in rows:
            if row[0] not in self:
                yield row


def batch_done(chunk: Sequence[Row], imported: int, rejected: list[RejectedRow]) -> BatchDone:
    return BatchDone(chunk[0][0], chunk[-1][0], len(chunk), imported, tuple(rejected))
