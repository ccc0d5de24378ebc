"""``make bench``: every benchmark; figures printed and written to bench/results/."""

from __future__ import annotations

import argparse
import os

from bench import duplicates_bench
from bench.common import write_result
from bench.identity_bench import run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--workers", type=int, default=min(os.cpu_count() or 1, 4))
    parser.add_argument("--name", default="identity_core", help="result file name")
    parser.add_argument(
        "--duplicates-size", type=int, default=1_000_000, help="0 skips the duplicates bench"
    )
    args = parser.parse_args()
    results = [
        run(kind, int(size), workers=args.workers)
        for size in args.sizes.split(",")
        for kind in args.databases.split(",")
    ]
    path = write_result(args.name, {"targets": TARGETS, "runs": results})
    print(f"written to {path}")
    if args.duplicates_size:
        runs = [
            duplicates_bench.run(kind, args.duplicates_size, probe_count=2000, threshold=0.5,
                                 splink=index == 0)
            for index, kind in enumerate(args.databases.split(","))
        ]  # fmt: skip
        path = write_result(
            "duplicates", {"targets": duplicates_bench.TARGETS, "note": "", "runs": runs}
        )
        print(f"written to {path}")


TARGETS = {
    "search_p99_ms_in_process_at_1M": 5,
    "search_p99_ms_http_at_1M": 15,
    "import_identities_per_second": 10_000,
}

if __name__ == "__main__":
    main()
