"""What the hash chain of the audit trail costs (issue 12, point 4: within 10%).

The same operations run with the chained writer of ``SqlAuditLog`` (as shipped) and
with a plain writer (the same rows inserted unchained, as before the chain), on the
same database, in alternating blocks (chained then plain, then plain then chained...):

* ``import``: ``import_identities`` of a block of synthetic rows (validation,
  identities, one audit row each, one batch of 5,000), rows per second;
* ``create``: ``create_identity`` one identity at a time (one transaction each, the
  API's path), creations per second.

Each pair of neighbouring blocks gives a ratio, chained / plain throughput (1.0 = no
cost; 0.9 = 10% slower); the median of the pairs is reported, in wall time and in CPU
time (this process, plus on PostgreSQL the server processes of the bench's database,
from /proc): pairs cancel the drift of a machine shared with other work, which whole
runs do not, and CPU time hardly moves with that other work, which wall time does.
The CPU spent inside the audit writer is also measured call by call in both variants:
its difference over the whole operation's CPU per row (``chain_cpu_share_of_operation``)
is the steadiest figure of what the chain adds on the client side. Printed, and written
to ``bench/results/audit_chain.json``.

    python -m bench.audit_chain_bench [--databases sqlite,postgres] [--pairs 12]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.common import fresh_database, typable_people, write_result
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


#: CPU seconds spent in ``SqlAuditLog.write`` by the running block.
_WRITE_CPU = [0.0]


@contextmanager
def _variant(name: str) -> Iterator[None]:
    """The writer of ``name``, timed (CPU) call by call into ``_WRITE_CPU``."""
    chained = audit_adapter.SqlAuditLog.write
    writer = _plain_write if name == "plain" else chained

    def timed(self: audit_adapter.SqlAuditLog, entries: Any) -> None:
        started = time.process_time()
        writer(self, entries)
        _WRITE_CPU[0] += time.process_time() - started

    _WRITE_CPU[0] = 0.0
    audit_adapter.SqlAuditLog.write = timed  # type: ignore[method-assign]
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
        for person in typable_people(container.rules, size, seed=SEED + 10_000 + index):
            create_identity(person, uow=container.uow_factory(), actor=SYSTEM,
                            rules=container.rules)  # fmt: skip
        return size

    return block


def _paired(kind: str, block: Block, pairs: int) -> dict[str, Any]:
    wall: dict[str, list[float]] = {v: [] for v in VARIANTS}
    cpu: dict[str, list[float]] = {v: [] for v in VARIANTS}
    writes: dict[str, list[float]] = {v: [] for v in VARIANTS}  # audit write, µs per row
    with fresh_database(kind) as url:
        container = bootstrap(Settings(database_url=url))
        block(container, -1)  # warm-up
        for index in range(pairs):
            order = VARIANTS if index % 2 == 0 else tuple(reversed(VARIANTS))
            for offset, variant in enumerate(order):
                with _variant(variant):
                    started, cpu_started = time.perf_counter(), _cpu_seconds(url)
                    done = block(container, 2 * index + offset)
                    wall[variant].append(done / (time.perf_counter() - started))
                    cpu[variant].append(done / _elapsed(cpu_started, _cpu_seconds(url)))
                    writes[variant].append(_WRITE_CPU[0] / done * 1e6)
    extra = statistics.median(writes["chained"]) - statistics.median(writes["plain"])
    per_row = 1e6 / statistics.median(cpu["plain"])  # CPU µs per row, whole operation
    return {
        "per_second": {v: [round(x, 1) for x in s] for v, s in wall.items()},
        "per_cpu_second": {v: [round(x, 1) for x in s] for v, s in cpu.items()},
        "ratio_chained_over_plain": _median_ratio(wall),
        "ratio_chained_over_plain_cpu": _median_ratio(cpu),
        "audit_write_cpu_us_per_row": {v: round(statistics.median(w), 1)
                                       for v, w in writes.items()},
        "chain_cpu_share_of_operation": round(extra / per_row, 3),
    }  # fmt: skip


def _cpu_seconds(url: str) -> dict[int, float]:
    """CPU seconds used so far by this process and, on PostgreSQL, by the server
    processes serving the bench's database (read from /proc): unlike wall time, hardly
    moved by other work on a shared machine."""
    used = {0: time.process_time()}
    if url.startswith("sqlite"):
        return used
    from sqlalchemy import text

    from identito.adapters.database import engine_for

    with engine_for(url).connect() as connection:
        query = "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
        pids = connection.execute(text(query)).scalars().all()
    tick = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    return used


def _elapsed(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(value - before.get(pid, 0.0) for pid, value in after.items())


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
        ratios = {k: v for k, v in result[operation].items() if k.startswith(("ratio", "chain"))}
        print(f"{kind:9} {operation:7} chained/plain throughput: {ratios}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--rows", type=int, default=BATCH, help="rows per import block")
    parser.add_argument("--creations", type=int, default=200, help="creations per block")
    parser.add_argument("--pairs", type=int, default=12)
    args = parser.parse_args()
    runs = [run(kind, args.rows, args.creations, args.pairs) for kind in args.databases.split(",")]
    note = (
        "Throughput with the hash chain over throughput without it (same code and database, "
        "the audit writer swapped block by block), median of the ratios of neighbouring "
        "blocks; target >= 0.9."
    )
    load = [round(x, 2) for x in os.getloadavg()]  # how shared the machine was
    payload = {"target_ratio": 0.9, "note": note, "load_average_at_end": load, "runs": runs}
    path = write_result("audit_chain", payload)
    print(f"written to {path}")


if __name__ == "__main__":
    main()
