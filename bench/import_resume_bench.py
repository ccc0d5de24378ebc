"""Import throughput before and after the resumable import jobs (issue 12), interleaved.

``python -m bench.import_resume_bench``: the code of ``--before`` (a git ref, ``main``
by default, extracted with ``git archive``) and this worktree's code import the same
CSV file through ``identito identities import`` (rejects report, progress bar and, after,
the job: digest, per-batch progress and rejects) in alternating order (ABBA), each on a
fresh migrated database, several rounds. Each run is timed inside its process, after
the imports (``bench/import_resume_driver.py``). Written to
``bench/results/import_resume.json``: identities/s of every run, the medians, and the
ratio after/before (≥ 0.90 is the target), by wall time and by the importing process's
CPU time (steadier on a shared machine; on PostgreSQL it leaves out the server's work).

Each run pays a fixed start-up inside the timed command (settings, the geographic
reference, the database engine, lazily imported modules): about 1.2 to 1.8 s for 10
rows on the 2-core machine, which is half the time of a 15,000-row import. Measure
throughput with ``--rows 200000`` (the issue's figure), where it is under 5%.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.common import fresh_database, write_result
from identito.synthetic import synthetic_identities

ROOT = Path(__file__).resolve().parent.parent
HEADER = ("birth_name", "birth_first_names", "first_birth_first_name", "birth_date", "sex",
          "birth_place_code")  # fmt: skip


def write_file(path: Path, rows: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for row in synthetic_identities(rows, seed=2026):
            writer.writerow([" ".join(v) if isinstance(v, list) else v for v in
                             (row[name] for name in HEADER)])  # fmt: skip


def extract(ref: str, folder: Path) -> Path:
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "src"], check=True,
                             capture_output=True).stdout  # fmt: skip
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder / "src"


def timed_import(src: Path, url: str, source: Path, workers: int) -> tuple[float, float]:
    """Wall seconds and the importing process's CPU seconds of one run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IDENTITO_")}
    env.update(PYTHONPATH=str(src), IDENTITO_DATABASE_URL=url)
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "import_resume_driver.py"), str(source),
         str(workers)],
        env=env, capture_output=True, text=True, check=True, cwd=source.parent,
    )  # fmt: skip
    timing = json.loads(done.stdout.strip().splitlines()[-1])
    return float(timing["seconds"]), float(timing["cpu_seconds"])


def run(kind: str, rows: int, workers: int, rounds: int, code: dict[str, Path]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="identito-resume-") as folder:
        source = Path(folder) / "patients.csv"
        write_file(source, rows)
        rates: dict[str, list[float]] = {"before": [], "after": []}
        cpu_rates: dict[str, list[float]] = {"before": [], "after": []}
        for round_ in range(rounds):
            order = ("before", "after") if round_ % 2 == 0 else ("after", "before")
            for variant in order:
                with fresh_database(kind) as url:
                    seconds, cpu_seconds = timed_import(code[variant], url, source, workers)
                rates[variant].append(round(rows / seconds))
                cpu_rates[variant].append(round(rows / cpu_seconds))
                print(f"[{kind} {workers} proc.] {variant}: {rates[variant][-1]} /s, "
                      f"{cpu_rates[variant][-1]} per CPU second", flush=True)  # fmt: skip
    before, after = (statistics.median(rates[v]) for v in ("before", "after"))
    cpu_before, cpu_after = (statistics.median(cpu_rates[v]) for v in ("before", "after"))
    return {"database": kind, "rows": rows, "workers": workers, "identities_per_second": rates,
            "median_before": before, "median_after": after,
            "ratio_after_before": round(after / before, 3),
            "identities_per_cpu_second": cpu_rates,
            "ratio_after_before_cpu": round(cpu_after / cpu_before, 3)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before", default="main", help="git ref of the code before")
    parser.add_argument("--rows", type=int, default=30_000)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--name", default="import_resume", help="result file name")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="identito-before-") as folder:
        code = {"before": extract(args.before, Path(folder)), "after": ROOT / "src"}
        runs = [
            run(kind, args.rows, int(workers), args.rounds, code)
            for kind in args.databases.split(",")
            for workers in args.workers.split(",")
        ]
    note = (f"before = git {args.before}, after = this tree; same file, fresh database per "
            "run, ABBA order; timed in process after the imports")  # fmt: skip
    path = write_result(args.name, {"target": "ratio ≥ 0.90", "note": note, "runs": runs})
    print(f"written to {path}")


if __name__ == "__main__":
    main()
