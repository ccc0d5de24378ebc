"""``identito identities import`` killed with SIGKILL at random points, then run again:
every valid row stored exactly once with its audit row, every reject once (issue 12).

The import runs in a real process (its own process group, so its workers die with
it, as on a power loss). Each seed draws one or two kills and their moments: after a random
number of committed rows, plus a random delay, so that kills land inside batches
as well as between them. The same command then runs to its end.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from identito.adapters.database import engine_for
from identito.adapters.orm import audit_log, identities, import_jobs, import_rejects
from identito.domain.events import AuditAction
from identito.synthetic import synthetic_identities

ROWS = 3000
BATCH = 150
SEEDS = (3, 11, 2026)
BAD_ROW = ("Dup0nt", "Jean", "Jean", "1970-01-01", "M", "75116", "", "")
HEADER = "birth_name,birth_first_names,first_birth_first_name,birth_date,sex,birth_place_code"


def _write_file(path: Path) -> tuple[int, int]:
    """``ROWS`` synthetic rows, one in 25 invalid; return (valid, invalid)."""
    lines, invalid = [f"{HEADER},used_name,used_first_name"], 0
    for index, row in enumerate(synthetic_identities(ROWS, seed=42)):
        if index % 25 == 7:
            lines.append(",".join(BAD_ROW))
            invalid += 1
            continue
        first_names = " ".join(row["birth_first_names"])
        cells = (row["birth_name"], first_names, row["first_birth_first_name"],
                 row["birth_date"], row["sex"], row["birth_place_code"], "", "")  # fmt: skip
        lines.append(",".join(cells))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ROWS - invalid, invalid


def _count(url: str, table: object, *where: object, column: object = None) -> int:
    for _ in range(100):
        try:
            with engine_for(url).connect() as connection:
                query = select(column if column is not None else func.count()).select_from(table)
                value = connection.execute(query.where(*where)).scalar()
                return int(value or 0)
        except OperationalError:  # the importer holds SQLite's write lock: read again
            time.sleep(0.02)
    raise AssertionError("database stayed locked")


def _start(source: Path, env: dict[str, str], log: Path, workers: int) -> subprocess.Popen[bytes]:
    identito = Path(sys.executable).with_name("identito")
    command = [str(identito), "identities", "import", str(source),
               "--batch-size", str(BATCH), "--workers", str(workers)]  # fmt: skip
    with log.open("ab") as out:
        return subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def _kill_when(process: subprocess.Popen[bytes], url: str, rows: int, delay: float) -> None:
    """SIGKILL the import's process group once ``rows`` rows are committed, after ``delay``."""
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        if _count(url, import_jobs, column=func.max(import_jobs.c.rows_done)) >= rows:
            break
        time.sleep(0.01)
    time.sleep(delay)
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(20)


@pytest.fixture
def import_env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IDENTITO_")}
    return {**env, "IDENTITO_DATABASE_URL": database_url, "COLUMNS": "120"}


@pytest.mark.parametrize("seed", SEEDS)
def test_an_import_killed_at_random_points_then_run_again_stores_each_row_exactly_once(
    database_url: str, import_env: dict[str, str], tmp_path: Path, seed: int
) -> None:
    rng = random.Random(seed)
    source = tmp_path / "patients.csv"
    valid, invalid = _write_file(source)
    log = tmp_path / "import.log"
    workers = 2 if seed == SEEDS[0] else 1  # parallel workers for one seed (slow to spawn)
    for _ in range(rng.choice((1, 2))):  # one kill, or two (a resumed run killed too)
        process = _start(source, import_env, log, workers)
        _kill_when(process, database_url, rng.randrange(ROWS), rng.uniform(0, 0.25))

    last = _start(source, import_env, log, workers)
    assert last.wait(120) == 0, log.read_text(encoding="utf-8")

    output = log.read_text(encoding="utf-8")
    assert f"{valid} identités importées, {invalid} lignes rejetées." in output
    assert _count(database_url, identities) == valid
    imported = audit_log.c.action == AuditAction.IDENTITY_IMPORTED.value
    assert _count(database_url, audit_log, imported) == valid
    assert _count(database_url, import_rejects) == invalid
    assert _count(database_url, import_jobs, import_jobs.c.state == "done") == 1
    rejects = (tmp_path / "patients.rejets.csv").read_text(encoding="utf-8").splitlines()
    assert len(rejects) == 1 + invalid
