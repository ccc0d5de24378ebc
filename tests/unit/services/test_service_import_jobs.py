"""Import jobs on the fakes: a rerun of the same file resumes after the last committed
batch; each batch commits its identities, audit rows, rejects and progress together."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

import pytest

from fakes import FakeUnitOfWork, actor_with_role, fake_rules, identity_input
from identito.domain.events import AuditAction
from identito.domain.permissions import Role
from identito.services.import_jobs import finish_import, import_rejects, start_import
from identito.services.import_records import CommittedLines, ImportState, ImportTakenOver
from identito.services.imports import import_identities

ADMIN = actor_with_role(Role.ADMIN)
DIGEST = "a" * 64


class Crash(Exception):
    """The process dies: nothing after this point runs."""


def _rows(count: int) -> list[tuple[int, dict[str, Any]]]:
    """``count`` data rows from line 2; every seventh has no birth name (a reject)."""
    rows = []
    for index in range(count):
        name = "" if index % 7 == 3 else f"NOM{chr(65 + index % 26)}{chr(65 + index // 26 % 26)}"
        rows.append((index + 2, identity_input(birth_name=name, birth_date="1980-03-12")))
    return rows


def _crashing(rows: Iterable[tuple[int, dict[str, Any]]], after: int) -> Iterator[Any]:
    for handled, row in enumerate(rows):
        if handled == after:
            raise Crash
        yield row


def _run(uow: FakeUnitOfWork, rows: Iterable[Any], digest: str = DIGEST) -> Any:
    rules = fake_rules()
    started = start_import(digest, "patients.csv", uow=uow, actor=ADMIN, rules=rules)
    import_identities(
        rows, uow_factory=lambda: uow, actor=ADMIN, rules=rules, batch_size=10,
        job=started.job, committed=started.committed,
    )  # fmt: skip
    return started, finish_import(started.job, uow=uow, actor=ADMIN, rules=rules)


@pytest.mark.parametrize("crash_at", [0, 9, 10, 11, 37, 69])
def test_a_rerun_after_a_crash_stores_every_valid_row_once_with_one_audit_row_each(
    crash_at: int,
) -> None:
    uow, rows = FakeUnitOfWork(), _rows(70)
    with pytest.raises(Crash):
        _run(uow, _crashing(rows, crash_at))

    started, job = _run(uow, rows)

    assert started.resumed
    valid = sum(1 for _, row in rows if row["birth_name"])
    assert len(uow.identities.committed) == valid == job.imported
    imported = Counter(uow.audit.actions())[AuditAction.IDENTITY_IMPORTED.value]
    assert imported == valid
    assert job.rejects == len(rows) - valid
    assert job.rows_done == len(rows)
    assert job.state is ImportState.DONE


def test_the_rejects_of_a_resumed_job_are_complete_and_each_line_once() -> None:
    uow, rows = FakeUnitOfWork(), _rows(70)
    with pytest.raises(Crash):
        _run(uow, _crashing(rows, 45))
    _, job = _run(uow, rows)

    rejected = import_rejects(job, uow=uow, actor=ADMIN)

    expected = [line for line, row in rows if not row["birth_name"]]
    assert [row.line for row in rejected] == expected
    assert {error.rule for row in rejected for error in row.errors} == {"required"}


def test_a_batch_is_committed_with_its_progress_or_not_at_all() -> None:
    uow, rows = FakeUnitOfWork(), _rows(30)
    with pytest.raises(Crash):
        _run(uow, _crashing(rows, 25))  # two batches of 10 committed, the third lost

    (job,) = uow.imports.jobs.values()
    assert (job.batches, job.rows_done) == (2, 20)
    assert job.imported == len(uow.identities.committed)
    assert uow.imports.committed(job.id) == [(2, 11), (12, 21)]


def test_the_same_file_already_imported_is_reported_done_and_imports_nothing() -> None:
    uow, rows = FakeUnitOfWork(), _rows(12)
    _run(uow, rows)
    stored = len(uow.identities.committed)

    again = start_import(DIGEST, "patients.csv", uow=uow, actor=ADMIN, rules=fake_rules())

    assert again.already_done
    assert again.job.imported == stored
    assert len(uow.identities.committed) == stored


def test_a_different_file_is_a_new_job() -> None:
    uow = FakeUnitOfWork()
    _run(uow, _rows(12))

    started, job = _run(uow, _rows(12), digest="b" * 64)

    assert not started.resumed
    assert len(uow.imports.jobs) == 2
    assert job.rows_done == 12


def test_a_run_taken_over_by_a_newer_run_of_the_same_file_cannot_commit_a_batch() -> None:
    uow, rules = FakeUnitOfWork(), fake_rules()
    first = start_import(DIGEST, "patients.csv", uow=uow, actor=ADMIN, rules=rules)
    start_import(DIGEST, "patients.csv", uow=uow, actor=ADMIN, rules=rules)

    with pytest.raises(ImportTakenOver):
        import_identities(
            _rows(5), uow_factory=lambda: uow, actor=ADMIN, rules=rules, job=first.job
        )

    assert uow.identities.committed == {}
    assert uow.audit.entries == []


def test_committed_lines_are_the_union_of_the_batches_even_when_ranges_nest() -> None:
    committed = CommittedLines([(30, 40), (2, 11), (12, 21), (10, 50), (60, 61)])

    assert [line for line in range(1, 65) if line in committed] == [
        *range(2, 51),
        60,
        61,
    ]
    rows = [(line, {}) for line in (1, 2, 51, 59, 60, 62)]
    assert [line for line, _ in committed.remaining(rows)] == [1, 51, 59, 62]


def test_an_import_needs_the_import_permission() -> None:
    from identito.domain.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        start_import(
            DIGEST, "p.csv", uow=FakeUnitOfWork(), actor=actor_with_role(Role.ADMISSION),
            rules=fake_rules(),
        )  # fmt: skip
