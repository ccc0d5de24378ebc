"""What the hash chain of the audit trail costs (issue 12, point 4: within 10%).

The same operations run with the chained writer of ``SqlAuditLog`` (as shipped) and
with a plain writer (the same rows inserted unchained, as before the chain), on the
same database, in alternating blocks (chained then plain, then plain then chained...):

* ``import``: ``import_identities`` of a block of synthetic rows (validation,
  identities, one audit row each, one batch of 5,000), rows per second;
* ``create``: ``create_identity`` one identity at a time (one transaction each, the
  API's path), creations per second.

Each pair of neighbouring blocks gives a ratio, chained / plain throughput (1.0 = no
cost; 0.9 = 10% slower); the median of the pairs is reported, in wall time and, for
SQLite (in process), in CPU time too: pairs cancel the drift of a machine shared with
other work, which whole runs do not. Printed, and written to
``bench/results/audit_chain.json``.

    python -m bench.audit_chain_bench [--databases sqlite,postgres] [--pairs 12]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from bench.common import fresh_database, write_result
from identito.adapters import audit as audit_adapter
from identito.adapters.bulk import insert_many
from identito.adapters.orm import audit_log
from identito.bootstrap import Container, bootstrap
from identito.config import Settings
from identito.services.auth import SYSTEM
from identito.services.identities import create_identity
from identito.services.imports import import_identities
from identito.synthetic import synthetic_identities

SEED = 2026
BATCH = 5000
VARIANTS = ("chained", "plain")


def _plain_write(self: audit_adapter.SqlAuditLog, entries: Any) -> None:
    """The writer without the chain: the same rows, inserted as they were before."""
    rows = [audit_adapter._audit_row(entry, position) for position, entry in enumerate(entries)]
    insert_many(self.connection, audit_log, rows)


@contextmanager
def _variant(name: str) -> Iterator[None]:
    chained = audit_adapter.SqlAuditLog.write
    if name == "plain":
        audit_adapter.SqlAuditLog.write = _plain_write  # type: ignore[method-assign]
    try:
        yield
    finally:
        audit_adapter.SqlAuditLog.write = chained  # type: ignore[method-assign]


Block = Callable[[Container, int], int]


def _import_block(size: int) -> Block:
    def block(container: Container, index: int) -> int:
        source = enumerate(synthetic_identities(size, seed=SEED + index), start=2)
        report = import_identities(
            source, uow_factory=container.uow_factory, actor=SYSTEM, rules=container.rules,
            batch_size=BATCH,
        )  # fmt: skip
        return report.imported

    return block


def _create_block(size: int) -> Block:
    def block(container: Container, index: int) -> int:
        for person in synthetic_identities(size, seed=SEED + 10_000 + index):
            create_identity(person, uow=container.uow_factory(), actor=SYSTEM,
                            rules=container.rules)  # fmt: skip
        return size

    return block


def _paired(kind: str, block: Block, pairs: int) -> dict[str, Any]:
    wall: dict[str, list[float]] = {v: [] for v in VARIANTS}
    cpu: dict[str, list[float]] = {v: [] for v in VARIANTS}
    with fresh_database(kind) as url:
        container = bootstrap(Settings(database_url=url))
        block(container, -1)  # warm-up
        for index in range(pairs):
            order = VARIANTS if index % 2 == 0 else tuple(reversed(VARIANTS))
            for offset, variant in enumerate(order):
                with _variant(variant):
                    started, cpu_started = time.perf_counter(), time.process_time()
                    done = block(container, 2 * index + offset)
                    wall[variant].append(done / (time.perf_counter() - started))
                    cpu[variant].append(done / (time.process_time() - cpu_started))
    result: dict[str, Any] = {
        "per_second": {v: [round(x, 1) for x in s] for v, s in wall.items()},
        "ratio_chained_over_plain": _median_ratio(wall),
    }
    if kind == "sqlite":
        result["ratio_chained_over_plain_cpu"] = _median_ratio(cpu)
    return result


def _median_ratio(samples: dict[str, list[float]]) -> float:
    pairs = zip(samples["chained"], samples["plain"], strict=True)
    return round(statistics.median(c / p for c, p in pairs), 3)


def run(kind: str, rows: int, creations: int, pairs: int) -> dict[str, Any]:
    result: dict[str, Any] = {
        "database": kind,
        "import": {"rows_per_block": rows, **_paired(kind, _import_block(rows), pairs)},
        "create": {
            "creations_per_block": creations,
            **_paired(kind, _create_block(creations), pairs),
        },
    }
    for operation in ("import", "create"):
        ratios = {k: v for k, v in result[operation].items() if k.startswith("ratio")}
        print(f"{kind:9} {operation:7} chained/plain throughput: {ratios}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--rows", type=int, default=BATCH, help="rows per import block")
    parser.add_argument("--creations", type=int, default=50, help="creations per block")
    parser.add_argument("--pairs", type=int, default=12)
    args = parser.parse_args()
    runs = [run(kind, args.rows, args.creations, args.pairs) for kind in args.databases.split(",")]
    note = (
        "Throughput with the hash chain over throughput without it (same code and database, "
        "the audit writer swapped block by block), median of the ratios of neighbouring "
        "blocks; target >= 0.9."
    )
    path = write_result("audit_chain", {"target_ratio": 0.9, "note": note, "runs": runs})
    print(f"written to {path}")


if __name__ == "__main__":
    main()
