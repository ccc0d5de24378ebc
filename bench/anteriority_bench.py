"""Anteriority search (issue 16) on the search keys: latency and its overhead.

For a database (SQLite or PostgreSQL) of ``size`` synthetic identities imported
through the import use case (search keys written in bulk, as in production):

- the import throughput with the search keys, against the same import with their
  writing switched off (one fresh database each);
- the latency of ``find_anteriority`` (the use case: key lookup, load, ranking,
  read audit) on realistic searches: exact date with a name start and first name,
  one day off, day and month swapped, a word of the name, the birth year without
  date;
- the same SQL (``adapters.anteriority_search``, compiled once per query) issued
  raw through the same driver connection, **interleaved** with the use case so that
  both see the same cache and load; the ratio of p50 and p99 tells what identito
  adds on top of the database.

Usage: ``python -m bench.anteriority_bench [sqlite|postgres] [size]``; writes
``bench/results/anteriority-<database>-<size>.json``.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

from bench.common import fresh_database, percentiles, write_result
from bench.identity_bench import run_import
from identito.adapters import repository
from identito.adapters.anteriority_search import anteriority_statement
from identito.adapters.database import engine_for
from identito.bootstrap import bootstrap
from identito.config import Settings
from identito.domain.anteriority import AnteriorityQuery
from identito.services.anteriority import anteriority_query, find_anteriority
from identito.services.auth import SYSTEM
from identito.synthetic import synthetic_identities

SEED = 2026
QUERIES = 2000
TARGET_P99_MS = 5  # bench/results/identity_core.json: search p99 in process at 1M


def _searches(count: int, size: int) -> list[dict[str, str]]:
    rng = random.Random(SEED + 16)
    wanted = set(rng.sample(range(size), min(count, size)))
    picked = [p for i, p in enumerate(synthetic_identities(size, seed=SEED)) if i in wanted]
    rng.shuffle(picked)
    searches = []
    for person in picked:
        born = date.fromisoformat(person["birth_date"].replace("-00", "-01"))
        name = (
            person["used_name"]
            if person["used_name"] and rng.random() < 0.3
            else (person["birth_name"])
        )
        kind = rng.random()
        search: dict[str, str] = {"name": name[: rng.randint(3, len(name))]}
        if kind < 0.5:
            search["birth_date"] = born.isoformat()
        elif kind < 0.65:
            search["birth_date"] = (born + timedelta(days=1)).isoformat()
        elif kind < 0.75 and born.day <= 12:
            search["birth_date"] = date(born.year, born.day, born.month).isoformat()
        elif kind < 0.85:
            search["birth_date"] = born.isoformat()
            search["name"] = name.replace("-", " ").split()[-1]  # a word of the name
        else:
            search["birth_year"] = str(born.year)
        if rng.random() < 0.7 or "birth_year" in search:
            search["first_name"] = rng.choice(person["birth_first_names"])
        searches.append(search)
    return searches


def run_searches(url: str, searches: list[dict[str, str]]) -> dict[str, Any]:
    container = bootstrap(Settings(database_url=url))
    queries: list[AnteriorityQuery] = [anteriority_query(**s) for s in searches]
    engine = engine_for(url)
    compiled = []
    for query in queries:
        statement, values = anteriority_statement(query)
        sql = statement.compile(dialect=engine.dialect)
        state = sql.construct_expanded_state(values)
        bound = state.positional_parameters if sql.positional else state.parameters
        compiled.append((state.statement, bound))
    service_ms, raw_ms, hits = [], [], 0
    with engine.connect() as connection:
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]

        def raw(i: int) -> None:
            cursor.execute(*compiled[i])
            cursor.fetchall()

        for i, query in enumerate(queries[:50]):  # warm-up of both paths
            find_anteriority(query, uow=container.uow_factory(), actor=SYSTEM,
                             rules=container.rules)  # fmt: skip
            raw(i)
        for i, query in enumerate(queries):
            started = time.perf_counter()
            found = find_anteriority(
                query, uow=container.uow_factory(), actor=SYSTEM, rules=container.rules
            )
            service_ms.append((time.perf_counter() - started) * 1000)
            hits += bool(found)
            started = time.perf_counter()
            raw(i)
            raw_ms.append((time.perf_counter() - started) * 1000)
    service, raw = percentiles(service_ms), percentiles(raw_ms)
    return {
        "find_anteriority": {**service, "queries_with_results": hits},
        "raw_sql_same_driver": raw,
        "ratio_p50": round(service["p50_ms"] / raw["p50_ms"], 2),
        "ratio_p99": round(service["p99_ms"] / raw["p99_ms"], 2),
        "p99_within_target": service["p99_ms"] <= TARGET_P99_MS,
    }


@contextmanager
def _without_search_keys() -> Iterator[None]:
    """The import as before issue 16: no ``identity_search_keys`` rows written."""
    saved = repository.search_key_values
    repository.search_key_values = lambda identities, as_id, as_date: []
    try:
        yield
    finally:
        repository.search_key_values = saved


def main() -> None:
    kind = sys.argv[1] if len(sys.argv) > 1 else "sqlite"
    size = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    result: dict[str, Any] = {"database": kind, "size": size, "target_p99_ms": TARGET_P99_MS}
    with fresh_database(kind) as url, _without_search_keys():
        result["import_without_search_keys"] = run_import(url, size, workers=1)
        print(f"[{kind} {size:,}] import without keys: {result['import_without_search_keys']}")
    with fresh_database(kind) as url:
        result["import"] = run_import(url, size, workers=1)
        result["import_ratio_with_over_without_keys"] = round(
            result["import"]["identities_per_second"]
            / result["import_without_search_keys"]["identities_per_second"],
            2,
        )
        print(f"[{kind} {size:,}] import: {result['import']}", flush=True)
        if kind == "postgres":  # what autovacuum does after a bulk load: planner statistics
            with engine_for(url).begin() as connection:
                connection.exec_driver_sql("ANALYZE")
            result["analyzed"] = True
        result["searches"] = run_searches(url, _searches(QUERIES, size))
        print(f"[{kind} {size:,}] searches: {result['searches']}", flush=True)
    print(write_result(f"anteriority-{kind}-{size}", result))


if __name__ == "__main__":
    main()
