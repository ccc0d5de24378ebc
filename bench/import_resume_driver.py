"""Times one ``identito identities import`` inside this process (no interpreter start-up).

Run with ``PYTHONPATH`` naming the code to measure (before or after a change):
``python bench/import_resume_driver.py FILE WORKERS``; prints ``{"seconds": …}``.
The database is ``IDENTITO_DATABASE_URL``.
"""

from __future__ import annotations

import json
import sys
import time


def main() -> None:
    path, workers = sys.argv[1], sys.argv[2]
    from identito.entrypoints.cli import app  # imported before the clock starts

    started = time.perf_counter()
    app(["identities", "import", path, "--workers", workers], standalone_mode=False)
    print(json.dumps({"seconds": time.perf_counter() - started}))


if __name__ == "__main__":
    main()
