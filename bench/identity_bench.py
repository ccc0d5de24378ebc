"""Import throughput and anteriority-search latency, in-process and through HTTP.

For each database (SQLite, PostgreSQL) and size (100k, 1M): import synthetic
identities through the import use case (full validation and audit), then time
anteriority searches in the service layer and through the HTTP API.
"""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import time
from datetime import date
from functools import partial
from typing import Any

import httpx

from bench.common import fresh_database, percentiles
from identito.bootstrap import bootstrap, worker_context
from identito.config import Settings
from identito.domain.permissions import Role
from identito.services.auth import SYSTEM, add_user
from identito.services.identities import search_identities
from identito.services.imports import import_identities, import_identities_in_parallel
from identito.synthetic import synthetic_identities

SEED = 2026
QUERIES = 2000
BATCH = 5000


def _queries(count: int, size: int) -> list[dict[str, str]]:
    """Realistic searches: birth date + name prefix (+ first name), some misses."""
    rng = random.Random(SEED + 1)
    wanted = sorted(rng.sample(range(size), min(count, size)))
    picked: list[dict[str, Any]] = []
    for index, identity in enumerate(synthetic_identities(size, seed=SEED)):
        if wanted and index == wanted[0]:
            picked.append(identity)
            wanted.pop(0)
            if not wanted:
                break
    queries = []
    for identity in picked:
        name = (
            identity["used_name"]
            if identity["used_name"] and rng.random() < 0.5
            else identity["birth_name"]
        )
        query = {"birth_date": identity["birth_date"], "name": name[: rng.randint(3, len(name))]}
        if rng.random() < 0.7:
            query["first_name"] = identity["first_birth_first_name"]
        if rng.random() < 0.1:  # a patient who is not there yet
            query["birth_date"] = date(
                1930 + rng.randrange(95), 1 + rng.randrange(12), 1 + rng.randrange(28)
            ).isoformat()
        queries.append(query)
    return queries


def run_import(url: str, size: int, *, workers: int) -> dict[str, Any]:
    """The import use case on synthetic rows: validation, identities, audit rows."""
    settings = Settings(database_url=url)
    rows = enumerate(synthetic_identities(size, seed=SEED), start=2)
    started = time.perf_counter()
    if workers == 1:
        container = bootstrap(settings)
        report = import_identities(
            rows, uow_factory=container.uow_factory, actor=SYSTEM, rules=container.rules,
            batch_size=BATCH,
        )  # fmt: skip
    else:
        report = import_identities_in_parallel(
            rows, setup=partial(worker_context, settings), actor=SYSTEM, workers=workers,
            batch_size=BATCH,
        )  # fmt: skip
    elapsed = time.perf_counter() - started
    return {
        "rows": size,
        "workers": workers,
        "imported": report.imported,
        "rejected": len(report.rejected),
        "seconds": round(elapsed, 2),
        "identities_per_second": round(report.imported / elapsed),
    }


def run_search_in_process(url: str, queries: list[dict[str, str]]) -> dict[str, Any]:
    container = bootstrap(Settings(database_url=url))
    samples, hits = [], 0
    for query in queries[:50]:  # warm-up
        search_identities(**query, uow=container.uow_factory(), actor=SYSTEM, rules=container.rules)
    for query in queries:
        started = time.perf_counter()
        found = search_identities(
            **query, uow=container.uow_factory(), actor=SYSTEM, rules=container.rules
        )
        samples.append((time.perf_counter() - started) * 1000)
        hits += bool(found)
    return {**percentiles(samples), "queries_with_results": hits}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_search_http(url: str, queries: list[dict[str, str]]) -> dict[str, Any]:
    container = bootstrap(Settings(database_url=url))
    add_user(
        "bench",
        "bench-password",
        Role.ADMISSION.value,
        uow=container.uow_factory(),
        actor=SYSTEM,
        rules=container.rules,
    )
    port = _free_port()
    env = {**os.environ, "IDENTITO_DATABASE_URL": url}
    factory = "identito.entrypoints.api.app:app_from_settings"
    command = [sys.executable, "-m", "uvicorn", "--factory", factory, "--host", "127.0.0.1"]
    command += ["--port", str(port), "--log-level", "warning", "--no-access-log"]
    server = subprocess.Popen(command, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=10) as client:
            for _ in range(200):
                try:
                    client.get("/api/v1/health")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            token = client.post(
                "/api/v1/auth/token", json={"username": "bench", "password": "bench-password"}
            ).json()["access_token"]
            client.headers["Authorization"] = f"Bearer {token}"
            for query in queries[:50]:
                client.get("/api/v1/identities", params=query)
            samples = []
            for query in queries:
                started = time.perf_counter()
                response = client.get("/api/v1/identities", params=query)
                samples.append((time.perf_counter() - started) * 1000)
                response.raise_for_status()
        return percentiles(samples)
    finally:
        server.terminate()
        server.wait(timeout=10)


def run(kind: str, size: int, *, workers: int) -> dict[str, Any]:
    result: dict[str, Any] = {"database": kind, "size": size}
    if size <= 100_000:  # the single-process figure, on its own fresh database
        with fresh_database(kind) as url:
            result["import_single_process"] = run_import(url, size, workers=1)
            print(f"[{kind} {size:,}] import, 1 process: {result['import_single_process']}")
    with fresh_database(kind) as url:
        result["import"] = run_import(url, size, workers=workers)
        print(f"[{kind} {size:,}] import, {workers} processes: {result['import']}", flush=True)
        queries = _queries(QUERIES, size)
        result["search_in_process"] = run_search_in_process(url, queries)
        print(f"[{kind} {size:,}] search in process: {result['search_in_process']}", flush=True)
        result["search_http"] = run_search_http(url, queries)
        print(f"[{kind} {size:,}] search through HTTP: {result['search_http']}", flush=True)
    return result
