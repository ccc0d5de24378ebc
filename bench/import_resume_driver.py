"""Times one ``identito identities import`` inside this process (no interpreter start-up).

Run with ``PYTHONPATH`` naming the code to measure (before or after a change):
``python bench/import_resume_driver.py FILE WORKERS``; prints ``{"seconds": …, "cpu_seconds": …}``
(wall time, and this process's CPU time, which the other load of a shared machine
disturbs far less; with one worker every row is validated, hashed and audited here).
The database is ``IDENTITO_DATABASE_URL``.
"""

from __future__ import annotations

import json
import sys
import time


def main() -> None:
    path, workers = sys.argv[1], sys.argv[2]
    from identito.entrypoints.cli import app  # imported before the clock starts

    started, cpu_started = time.perf_counter(), time.process_time()
    app(["identities", "import", path, "--workers", workers], standalone_mode=False)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu_seconds}))


if __name__ == "__main__":
    main()
