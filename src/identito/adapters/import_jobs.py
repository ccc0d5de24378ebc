"""SQL store of import jobs (migration ``0019``): ``SqlImportJobStore``.

A batch's record waits in the store until the unit of work commits: ``flush`` (called
by ``SqlUnitOfWork.commit`` after the identities and audit rows) inserts the batch and
its rejects and adds its counts to the job row with
``UPDATE … WHERE id = :job AND runner = :runner``. No row updated means another run took
the job over: ``ImportTakenOver``, and the whole transaction rolls back. The update
comes last so that parallel workers hold the job row only while they commit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, RowMapping, insert, select, update
from sqlalchemy.exc import IntegrityError

from identito.adapters.bulk import insert_many
from identito.adapters.orm import import_batches, import_jobs, import_rejects
from identito.domain.errors import FieldError
from identito.services.import_records import (
    BatchDone,
    ImportJob,
    ImportState,
    ImportTakenOver,
    RejectedRow,
)

_JOB_FIELDS = ("batches", "rows_done", "imported", "rejects")


class SqlImportJobStore:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self._pending: list[tuple[ImportJob, BatchDone, datetime]] = []

    def by_digest(self, digest: str) -> ImportJob | None:
        query = select(import_jobs).where(import_jobs.c.file_digest == digest)
        row = self.connection.execute(query).mappings().first()
        return None if row is None else _job(row)

    def add(self, job: ImportJob) -> bool:
        values = {
            "id": job.id, "file_digest": job.file_digest, "file_name": job.file_name,
            "actor": job.actor, "runner": job.runner, "state": job.state.value,
            "started_at": job.started_at, "updated_at": job.started_at, "finished_at": None,
        }  # fmt: skip
        try:
            with self.connection.begin_nested():
                self.connection.execute(
                    insert(import_jobs).values(**values, **dict.fromkeys(_JOB_FIELDS, 0))
                )
        except IntegrityError:  # another run created the job of this file first
            return False
        return True

    def take_over(self, job_id: UUID, runner: str, at: datetime) -> None:
        self.connection.execute(
            update(import_jobs)
            .where(import_jobs.c.id == job_id)
            .values(runner=runner, updated_at=at)
        )

    def committed(self, job_id: UUID) -> list[tuple[int, int]]:
        t = import_batches
        query = select(t.c.first_line, t.c.last_line).where(t.c.job_id == job_id)
        return [(first, last) for first, last in self.connection.execute(query)]

    def record_batch(self, job: ImportJob, batch: BatchDone, at: datetime) -> None:
        self._pending.append((job, batch, at))

    def discard(self) -> None:
        self._pending = []

    def flush(self) -> None:
        """Write the batches recorded in this transaction (called by the commit)."""
        pending, self._pending = self._pending, []
        for job, batch, at in pending:
            self._write(job, batch, at)

    def _write(self, job: ImportJob, batch: BatchDone, at: datetime) -> None:
        try:  # the same batch recorded by another run: refused by the primary key
            self.connection.execute(
                insert(import_batches).values(
                    job_id=job.id, first_line=batch.first_line, last_line=batch.last_line,
                    rows=batch.rows, imported=batch.imported, rejected=len(batch.rejected),
                    committed_at=at,
                )
            )  # fmt: skip
        except IntegrityError as error:
            raise ImportTakenOver(job.file_name) from error
        insert_many(self.connection, import_rejects, _reject_rows(job.id, batch.rejected))
        t = import_jobs
        counted = self.connection.execute(
            update(t)
            .where(t.c.id == job.id, t.c.runner == job.runner, t.c.state == ImportState.RUNNING)
            .values(
                batches=t.c.batches + 1, rows_done=t.c.rows_done + batch.rows,
                imported=t.c.imported + batch.imported,
                rejects=t.c.rejects + len(batch.rejected), updated_at=at,
            )
        )  # fmt: skip
        if counted.rowcount != 1:
            raise ImportTakenOver(job.file_name)

    def finish(self, job: ImportJob, at: datetime) -> None:
        t = import_jobs
        done = self.connection.execute(
            update(t)
            .where(t.c.id == job.id, t.c.runner == job.runner)
            .values(state=ImportState.DONE, updated_at=at, finished_at=at)
        )
        if done.rowcount != 1:
            raise ImportTakenOver(job.file_name)

    def rejects(self, job_id: UUID) -> list[RejectedRow]:
        t = import_rejects
        query = select(t).where(t.c.job_id == job_id).order_by(t.c.line, t.c.position)
        found: dict[int, list[FieldError]] = {}
        for row in self.connection.execute(query).mappings():
            found.setdefault(row["line"], []).append(
                FieldError(row["field"], row["rule"], row["message"])
            )
        return [RejectedRow(line, tuple(errors)) for line, errors in found.items()]

    def recent(self, limit: int) -> list[ImportJob]:
        t = import_jobs
        query = select(t).order_by(t.c.started_at.desc(), t.c.id).limit(limit)
        return [_job(row) for row in self.connection.execute(query).mappings()]


def _reject_rows(job_id: UUID, rejected: tuple[RejectedRow, ...]) -> list[dict[str, Any]]:
    return [
        {
            "job_id": job_id,
            "line": row.line,
            "position": position,
            "field": error.field,
            "rule": error.rule,
            "message": error.message,
        }
        for row in rejected
        for position, error in enumerate(row.errors)
    ]


def _job(row: RowMapping) -> ImportJob:
    return ImportJob(
        id=row["id"], file_digest=row["file_digest"], file_name=row["file_name"],
        actor=row["actor"], runner=row["runner"], started_at=row["started_at"],
        state=ImportState(row["state"]), batches=row["batches"], rows_done=row["rows_done"],
        imported=row["imported"], rejects=row["rejects"], updated_at=row["updated_at"],
        finished_at=row["finished_at"],
    )  # fmt: skip
