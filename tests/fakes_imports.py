"""The ``ImportJobStore`` port in memory (issue 12): batches wait for the commit."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from uuid import UUID

from identito.services.import_records import (
    BatchDone,
    ImportJob,
    ImportState,
    ImportTakenOver,
    RejectedRow,
)


@dataclass
class FakeImportJobs:
    jobs: dict[UUID, ImportJob] = field(default_factory=dict)
    batches: dict[UUID, list[BatchDone]] = field(default_factory=dict)
    _pending: list[tuple[ImportJob, BatchDone, datetime]] = field(default_factory=list)

    def by_digest(self, digest: str) -> ImportJob | None:
        return next((j for j in self.jobs.values() if j.file_digest == digest), None)

    def add(self, job: ImportJob) -> bool:
        if self.by_digest(job.file_digest) is not None:
            return False
        self.jobs[job.id] = job
        self.batches[job.id] = []
        return True

    def take_over(self, job_id: UUID, runner: str, at: datetime) -> None:
        self.jobs[job_id] = replace(self.jobs[job_id], runner=runner, updated_at=at)

    def committed(self, job_id: UUID) -> list[tuple[int, int]]:
        return [(b.first_line, b.last_line) for b in self.batches[job_id]]

    def record_batch(self, job: ImportJob, batch: BatchDone, at: datetime) -> None:
        self._pending.append((job, batch, at))

    def finish(self, job: ImportJob, at: datetime) -> None:
        stored = self._current(job)
        self.jobs[job.id] = replace(stored, state=ImportState.DONE, finished_at=at)

    def rejects(self, job_id: UUID) -> list[RejectedRow]:
        rows = [row for batch in self.batches[job_id] for row in batch.rejected]
        return sorted(rows, key=lambda row: row.line)

    def recent(self, limit: int) -> list[ImportJob]:
        return sorted(self.jobs.values(), key=lambda j: j.started_at, reverse=True)[:limit]

    def _current(self, job: ImportJob) -> ImportJob:
        stored = self.jobs[job.id]
        if stored.runner != job.runner or stored.state is not ImportState.RUNNING:
            raise ImportTakenOver(job.file_name)
        return stored

    def _check(self) -> None:
        """Raise before anything is committed, as the SQL store's ``UPDATE`` does."""
        for job, _, _ in self._pending:
            self._current(job)

    def _commit(self) -> None:
        for job, batch, at in self._pending:
            stored = self._current(job)
            self.batches[job.id].append(batch)
            self.jobs[job.id] = replace(
                stored, batches=stored.batches + 1, rows_done=stored.rows_done + batch.rows,
                imported=stored.imported + batch.imported,
                rejects=stored.rejects + len(batch.rejected), updated_at=at,
            )  # fmt: skip
        self._pending = []

    def _rollback(self) -> None:
        self._pending = []
