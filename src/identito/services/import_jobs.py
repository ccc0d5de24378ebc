"""Import jobs: start, resume, finish and list (issue 12).

``start_import`` finds the job of a file by its digest: a new file gets a new job,
an interrupted one is taken over by this run (a new ``runner`` token, so that a
run still going elsewhere can no longer commit), a finished one is returned as it
is: the caller reports it done and imports nothing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace

from identito.domain.ids import new_id
from identito.domain.permissions import Actor, Permission
from identito.services.import_records import (
    CommittedLines,
    ImportJob,
    ImportState,
    RejectedRow,
)
from identito.services.rules import Rules
from identito.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class StartedImport:
    job: ImportJob
    resumed: bool  # an interrupted job taken over: ``committed`` lines are skipped
    committed: CommittedLines

    @property
    def already_done(self) -> bool:
        return self.job.state is ImportState.DONE


def start_import(
    digest: str, file_name: str, *, uow: UnitOfWork, actor: Actor, rules: Rules
) -> StartedImport:
    """The job of the file whose sha256 is ``digest``: new, resumed or already done."""
    actor.require(Permission.IDENTITY_IMPORT)
    runner = secrets.token_hex(16)
    with uow:
        for _ in range(2):  # a second pass if another run created the job meanwhile
            job = uow.imports.by_digest(digest)
            if job is None:
                job = ImportJob(new_id(), digest, file_name, actor.username, runner, rules.now())
                if uow.imports.add(job):
                    uow.commit(actor, rules.now())
                    return StartedImport(job, False, CommittedLines(()))
                continue
            if job.state is ImportState.DONE:
                return StartedImport(job, False, CommittedLines(()))
            uow.imports.take_over(job.id, runner, rules.now())
            committed = CommittedLines(uow.imports.committed(job.id))
            uow.commit(actor, rules.now())
            return StartedImport(replace(job, runner=runner), True, committed)
    raise AssertionError("the job of this digest could be neither created nor read")


def finish_import(job: ImportJob, *, uow: UnitOfWork, actor: Actor, rules: Rules) -> ImportJob:
    """Mark the job done; return it with its totals (every run of it together)."""
    actor.require(Permission.IDENTITY_IMPORT)
    with uow:
        uow.imports.finish(job, rules.now())
        uow.commit(actor, rules.now())
        finished = uow.imports.by_digest(job.file_digest)
    assert finished is not None
    return finished


def import_rejects(job: ImportJob, *, uow: UnitOfWork, actor: Actor) -> list[RejectedRow]:
    """Every rejected line of the job (all its runs), by line: each line once."""
    actor.require(Permission.IDENTITY_IMPORT)
    with uow:
        return uow.imports.rejects(job.id)


def recent_imports(*, uow: UnitOfWork, actor: Actor, limit: int = 20) -> list[ImportJob]:
    actor.require(Permission.IDENTITY_IMPORT)
    with uow:
        return uow.imports.recent(limit)
