"""Import jobs on SQLite and PostgreSQL (issue 12): a batch's identities, audit rows,
rejects and progress are one transaction; a rerun skips exactly the committed lines,
one worker or several."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import partial
from itertools import pairwise
from typing import Any

import pytest
from sqlalchemy import func, select

from identito.adapters.database import engine_for
from identito.adapters.orm import audit_log, identities, import_batches, import_rejects
from identito.adapters.unit_of_work import SqlUnitOfWork
from identito.bootstrap import worker_context
from identito.config import Settings
from identito.domain.events import AuditAction
from identito.domain.permissions import Actor
from identito.services.import_jobs import (
    StartedImport,
    finish_import,
    recent_imports,
    start_import,
)
from identito.services.import_jobs import import_rejects as job_rejects
from identito.services.import_records import ImportState, ImportTakenOver
from identito.services.imports import import_identities, import_identities_in_parallel
from identito.services.rules import Rules
from identito.synthetic import synthetic_identities

DIGEST = "c" * 64
ROWS = 120


class Crash(Exception):
    pass


def _rows() -> list[tuple[int, dict[str, Any]]]:
    """Synthetic rows from line 2; every tenth has a future birth date (a reject)."""
    rows = list(enumerate(synthetic_identities(ROWS, seed=12), start=2))
    for _, row in rows[5::10]:
        row["birth_date"] = "2999-01-01"
    return rows


def _crashing(rows: Iterable[Any], after: int) -> Iterator[Any]:
    for handled, row in enumerate(rows):
        if handled == after:
            raise Crash
        yield row


def _count(url: str, table: Any, *where: Any) -> int:
    with engine_for(url).connect() as connection:
        return int(
            connection.execute(select(func.count()).select_from(table).where(*where)).scalar_one()
        )


def _start(uow_factory: Callable[[], SqlUnitOfWork], admin: Actor, rules: Rules) -> StartedImport:
    return start_import(DIGEST, "patients.csv", uow=uow_factory(), actor=admin, rules=rules)


def _sequential(
    url: str, rows: Iterable[Any], admin: Actor, rules: Rules, uow_factory: Any
) -> None:
    started = _start(uow_factory, admin, rules)
    import_identities(
        rows, uow_factory=uow_factory, actor=admin, rules=rules, batch_size=25,
        job=started.job, committed=started.committed,
    )  # fmt: skip
    finish_import(started.job, uow=uow_factory(), actor=admin, rules=rules)


def _parallel(url: str, rows: Iterable[Any], admin: Actor, rules: Rules, uow_factory: Any) -> None:
    started = _start(uow_factory, admin, rules)
    import_identities_in_parallel(
        rows, setup=partial(worker_context, Settings(database_url=url)), actor=admin,
        workers=2, batch_size=25, job=started.job, committed=started.committed,
    )  # fmt: skip
    finish_import(started.job, uow=uow_factory(), actor=admin, rules=rules)


def _assert_exactly_once(url: str, rows: list[Any]) -> None:
    valid = sum(1 for _, row in rows if row["birth_date"] != "2999-01-01")
    assert _count(url, identities) == valid
    imported = audit_log.c.action == AuditAction.IDENTITY_IMPORTED.value
    assert _count(url, audit_log, imported) == valid
    assert _count(url, import_rejects) == len(rows) - valid
    ranges = sorted(_batch_ranges(url))
    assert all(last < first for (_, last), (first, _) in pairwise(ranges))


def _batch_ranges(url: str) -> list[tuple[int, int]]:
    with engine_for(url).connect() as connection:
        query = select(import_batches.c.first_line, import_batches.c.last_line)
        return [(first, last) for first, last in connection.execute(query)]


@pytest.mark.parametrize(
    ("run", "crash_at"),
    [(_sequential, 0), (_sequential, 30), (_sequential, 117), (_parallel, 60)],
    ids=["one_worker-at-0", "one_worker-at-30", "one_worker-at-117", "two_workers-at-60"],
)
def test_a_rerun_after_a_crash_stores_every_valid_row_once_with_its_audit_row(
    database_url: str, uow_factory: Any, admin: Actor, rules: Rules, run: Any, crash_at: int
) -> None:
    rows = _rows()
    with pytest.raises(Crash):
        run(database_url, _crashing(rows, crash_at), admin, rules, uow_factory)
    stored_at_crash = _count(database_url, identities)

    run(database_url, rows, admin, rules, uow_factory)

    assert stored_at_crash <= _count(database_url, identities)
    _assert_exactly_once(database_url, rows)
    (job,) = recent_imports(uow=uow_factory(), actor=admin)
    assert job.state is ImportState.DONE
    assert job.rows_done == ROWS
    assert job.imported == _count(database_url, identities)
    assert job.rejects == ROWS // 10
    assert job.batches == _count(database_url, import_batches)
    rejected = job_rejects(job, uow=uow_factory(), actor=admin)
    assert [row.line for row in rejected] == [line for line, _ in rows[5::10]]


def test_a_batch_of_a_run_taken_over_is_rolled_back_with_its_identities_and_audit_rows(
    database_url: str, uow_factory: Any, admin: Actor, rules: Rules
) -> None:
    first = _start(uow_factory, admin, rules)
    newer = _start(uow_factory, admin, rules)

    with pytest.raises(ImportTakenOver):
        import_identities(
            _rows()[:10], uow_factory=uow_factory, actor=admin, rules=rules, job=first.job
        )

    assert newer.resumed
    assert _count(database_url, identities) == 0
    assert _count(database_url, audit_log) == 0
    assert _count(database_url, import_batches) == 0
    assert _count(database_url, import_rejects) == 0


def test_the_same_file_already_imported_is_reported_done(
    database_url: str, uow_factory: Any, admin: Actor, rules: Rules
) -> None:
    _sequential(database_url, _rows()[:30], admin, rules, uow_factory)

    again = _start(uow_factory, admin, rules)

    assert again.already_done
    assert again.job.imported == _count(database_url, identities) == 27


def test_a_batch_already_committed_is_refused_by_the_database_even_without_the_skip(
    database_url: str, uow_factory: Any, admin: Actor, rules: Rules
) -> None:
    started = _start(uow_factory, admin, rules)
    rows = _rows()[:25]
    import_identities(rows, uow_factory=uow_factory, actor=admin, rules=rules, job=started.job)
    stored = _count(database_url, identities)

    with pytest.raises(ImportTakenOver):  # the same lines again, ``committed`` not given
        import_identities(rows, uow_factory=uow_factory, actor=admin, rules=rules, job=started.job)

    assert _count(database_url, identities) == stored
    imported = audit_log.c.action == AuditAction.IDENTITY_IMPORTED.value
    assert _count(database_url, audit_log, imported) == stored
