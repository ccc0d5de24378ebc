"""Shared helpers of the benchmarks: fresh databases, timing, result files."""

from __future__ import annotations

import json
import os
import platform
import statistics
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"
POSTGRES_URL = os.environ.get(
    "IDENTITO_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


@contextmanager
def fresh_database(kind: str) -> Iterator[str]:
    """Yield the URL of a new, migrated, empty database; drop it afterwards."""
    from identito.adapters.migrate import upgrade_database

    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="identito-bench-") as folder:
            url = f"sqlite:///{folder}/bench.sqlite3"
            upgrade_database(url)
            yield url
        return
    import psycopg

    name = f"identito_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_URL.rsplit("/", 1)[0]
    url = f"{base}/{name}"
    try:
        upgrade_database(url)
        yield url
    finally:
        from identito.adapters.unit_of_work import dispose_engines

        dispose_engines()
        with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return {
        "n": len(ordered),
        "p50_ms": round(cuts[49], 3),
        "p90_ms": round(cuts[89], 3),
        "p99_ms": round(cuts[98], 3),
        "max_ms": round(ordered[-1], 3),
        "mean_ms": round(statistics.fmean(ordered), 3),
    }


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def write_result(name: str, payload: dict[str, Any]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({"machine": machine(), **payload}, indent=2, ensure_ascii=False))
    return path


def typable_people(rules: Any, count: int, *, seed: int) -> list[dict[str, Any]]:
    """Synthetic people whose traits the typed entry rules accept (e.g. no whole 13055,
    which the synthetic generator may draw and ``create_identity`` refuses)."""
    from identito.domain.errors import InvalidInput
    from identito.domain.trait_set import parse_traits
    from identito.synthetic import synthetic_identities

    kept: list[dict[str, Any]] = []
    for data in synthetic_identities(count * 2, seed=seed):
        try:
            parse_traits(data, today=rules.now().date(), places=rules.places)
        except InvalidInput:
            continue
        kept.append(data)
        if len(kept) == count:
            return kept
    raise RuntimeError("not enough typable synthetic people")
