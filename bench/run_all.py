"""``make bench``: every benchmark; figures printed and written to bench/results/."""

from __future__ import annotations

import argparse

from bench.common import write_result
from bench.identity_bench import run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--databases", default="sqlite,postgres")
    args = parser.parse_args()
    results = [
        run(kind, int(size)) for size in args.sizes.split(",") for kind in args.databases.split(",")
    ]
    path = write_result("identity_core", {"targets": TARGETS, "runs": results})
    print(f"written to {path}")


TARGETS = {
    "search_p99_ms_in_process_at_1M": 5,
    "search_p99_ms_http_at_1M": 15,
    "import_identities_per_second": 10_000,
}

if __name__ == "__main__":
    main()
