"""Server time of the web pages at N identities: anteriority search and identity sheet.

``python -m bench.web_bench --size 1000000 [--database sqlite|postgres]``

Imports N synthetic identities through the import use case (full validation,
audit and indicator counters), logs an admission clerk in through ``/login``, then
times, in process (``TestClient``: the whole ASGI stack, session check, service
calls, template rendering), ``GET /recherche?...`` with realistic searches and
``GET /identites/{id}`` of identities found. Figures in ``bench/results/web.json``.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import time
from functools import partial
from typing import Any
from urllib.parse import urlencode

from fastapi.testclient import TestClient

from bench.common import fresh_database, percentiles, write_result
from bench.identity_bench import _queries
from identito.bootstrap import bootstrap, worker_context
from identito.config import Settings
from identito.domain.permissions import Role
from identito.entrypoints.api import create_app
from identito.services.auth import SYSTEM, add_user
from identito.services.imports import import_identities, import_identities_in_parallel
from identito.synthetic import synthetic_identities

SEED = 2026
PASSWORD = "mot-de-passe-du-banc"
TARGET_P99_MS = 50
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_LINK = re.compile(r'href="/identites/([0-9a-f-]{36})"')


def _load(url: str, size: int, workers: int) -> float:
    settings = Settings(database_url=url, test_mode=True)
    rows = enumerate(synthetic_identities(size, seed=SEED), start=2)
    started = time.perf_counter()
    if workers > 1:
        import_identities_in_parallel(
            rows, setup=partial(worker_context, settings), actor=SYSTEM, workers=workers
        )
    else:
        container = bootstrap(settings)
        import_identities(rows, uow_factory=container.uow_factory, actor=SYSTEM,
                          rules=container.rules)  # fmt: skip
    return time.perf_counter() - started


def _login(client: TestClient) -> None:
    page = client.get("/login")
    token = _CSRF.search(page.text)
    assert token, "no CSRF token on the login page"
    response = client.post(
        "/login", data={"username": "bench", "password": PASSWORD, "csrf_token": token.group(1)}
    )
    assert response.status_code == 303, response.text


def _time(client: TestClient, url: str) -> tuple[float, str]:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed, response.text


def run(kind: str, size: int, *, queries: int, workers: int) -> dict[str, Any]:
    with fresh_database(kind) as url:
        load_seconds = _load(url, size, workers)
        container = bootstrap(Settings(database_url=url, test_mode=True))
        add_user("bench", PASSWORD, Role.ADMISSION.value, uow=container.uow_factory(),
                 actor=SYSTEM, rules=container.rules)  # fmt: skip
        searches = _queries(queries, size)
        with TestClient(create_app(container), follow_redirects=False) as client:
            _login(client)
            search_ms, sheet_ms, ids = [], [], []
            for _ in range(2):  # warm-up: templates compiled, caches filled
                _time(client, "/recherche")
            for query in searches:
                params = urlencode(query)
                elapsed, html = _time(client, f"/recherche?mode=traits&{params}")
                search_ms.append(elapsed)
                ids.extend(_LINK.findall(html)[:1])
            rng = random.Random(SEED)
            for identity_id in rng.sample(ids, min(len(ids), queries)):
                sheet_ms.append(_time(client, f"/identites/{identity_id}")[0])
    result = {
        "database": kind,
        "identities": size,
        "load_seconds": round(load_seconds, 1),
        "search_page": percentiles(search_ms),
        "identity_sheet": percentiles(sheet_ms),
    }
    print(result)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--database", default="sqlite", choices=("sqlite", "postgres"))
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=min(os.cpu_count() or 1, 4))
    args = parser.parse_args()
    result = run(args.database, args.size, queries=args.queries, workers=args.workers)
    path = write_result("web", {"target_p99_ms_at_1M": TARGET_P99_MS, "runs": [result]})
    print(f"written to {path}")


if __name__ == "__main__":
    main()
