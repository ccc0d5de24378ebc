"""First INSi call against the later ones, with and without the start-up warm-up.

Each scenario runs in a fresh Python process (module caches such as the contract XSDs
start empty, as after ``identito serve``): a migrated SQLite database, the application
started (its lifespan runs), ``calls`` identities created, then one INSi recovery by
traits per identity through ``POST /api/v1/identities/{id}/insi/recover``, each timed.

* ``without_warm_up``: the warm-up is removed (the behaviour before it existed): the
  first call builds the simulator's reference base, loads the XSDs, makes the test
  card, and FastAPI builds the routes the request walks;
* ``with_warm_up``: the application warms the simulator and walks the routes at
  start-up (a background thread, waited for here as a user's first call comes after
  the start-up).

Two levels: the teleservice alone (the INSi call itself), and the API route (what a
user waits for, database and HTTP included). Each scenario is repeated in ``repeat``
fresh processes (the machine is shared: one run's first call may be preempted);
``ratio_first_later`` = median of the first-call times / median of the later-call
medians, all measured in the same run (the top-level one: the API route with the
warm-up, what a user waits for; ``teleservice_ratio_first_later``: the INSi call alone,
where a residue of a few milliseconds is Python's and lxml's first execution of the
code, against about a second without the warm-up). Written to ``bench/results/insi_warmup.json``.

    python -m bench.insi_warmup_bench [--calls 30] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from typing import Any

from bench.common import fresh_database, write_result

PASSWORD = "phrase-de-passe-pour-mesurer"
TARGET_RATIO = 2.0  # the first call at most twice a later one once warmed


def _person(index: int) -> dict[str, Any]:
    """A synthetic person (no real one), a different birth date each."""
    return {
        "birth_name": "Banc-Essai",
        "birth_first_names": ["Camille"],
        "first_birth_first_name": "Camille",
        "birth_date": f"19{50 + index % 50:02d}-0{1 + index % 9}-1{index % 10}",
        "sex": "F",
        "birth_place_code": "75116",
        "create_anyway": True,
    }


def scenario(warm: bool, calls: int) -> dict[str, Any]:
    """One scenario, in this process (``main`` runs each in a fresh one)."""
    from fastapi.testclient import TestClient

    from identito.bootstrap import bootstrap
    from identito.config import Settings
    from identito.entrypoints.api import create_app
    from identito.services.auth import SYSTEM, add_user

    with fresh_database("sqlite") as url:
        container = bootstrap(Settings(database_url=url, test_mode=True))
        add_user("banc", PASSWORD, "admission", uow=container.uow_factory(), actor=SYSTEM,
                 rules=container.rules)  # fmt: skip
        if not warm:  # as before the warm-up existed: neither INSi nor the routes
            container.teleservice.warm_up = None  # type: ignore[union-attr]
            from identito.entrypoints import warm_up

            async def no_walk(app: Any) -> int:
                return 0

            warm_up.walk_routes = no_walk  # type: ignore[assignment]
        app = create_app(container)
        with TestClient(app) as client:
            started = time.perf_counter()
            thread = app.state.insi_warm_up
            if thread is not None:
                thread.join()
            warm_up_ms = (time.perf_counter() - started) * 1000 if thread is not None else None
            token = client.post("/api/v1/auth/token", json={"username": "banc",
                                                            "password": PASSWORD})  # fmt: skip
            headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
            ids = []
            for index in range(calls):
                created = client.post("/api/v1/identities", json=_person(index), headers=headers)
                assert created.status_code == 201, created.text
                ids.append(created.json()["id"])
            timings = []
            for identity_id in ids:
                started = time.perf_counter()
                response = client.post(f"/api/v1/identities/{identity_id}/insi/recover",
                                       json={"mode": "traits"}, headers=headers)  # fmt: skip
                timings.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.text
    return _summary(timings, warm_up_ms)


def teleservice_scenario(warm: bool, calls: int) -> dict[str, Any]:
    """The teleservice alone (no HTTP route, no database): one recovery by traits per
    call, after the application's start-up warm-up or without it."""
    from identito.bootstrap import bootstrap
    from identito.config import Settings
    from identito.entrypoints.warm_up import start_warm_up
    from identito.services.teleservice import CallContext, TraitsQuery

    container = bootstrap(Settings(database_url="sqlite://", test_mode=True))
    warm_up_ms = None
    if warm:
        started = time.perf_counter()
        thread = start_warm_up(container)
        assert thread is not None
        thread.join()
        warm_up_ms = (time.perf_counter() - started) * 1000
    teleservice = container.teleservice
    assert teleservice is not None
    timings = []
    for index in range(calls):
        person = _person(index)
        query = TraitsQuery(person["birth_name"], person["birth_first_names"], "F",
                            person["birth_date"])  # fmt: skip
        started = time.perf_counter()
        teleservice.recover_with_traits(query, CallContext("banc"))
        timings.append((time.perf_counter() - started) * 1000)
    return _summary(timings, warm_up_ms)


def _summary(timings: list[float], warm_up_ms: float | None) -> dict[str, Any]:
    later = statistics.median(timings[1:])
    return {
        "warm_up_ms_waited": round(warm_up_ms, 1) if warm_up_ms is not None else None,
        "calls": len(timings),
        "first_ms": round(timings[0], 2),
        "later_p50_ms": round(later, 2),
        "later_max_ms": round(max(timings[1:]), 2),
        "ratio_first_later": round(timings[0] / later, 2),
    }


SCENARIOS = {
    "api-cold": lambda calls: scenario(False, calls),
    "api-warm": lambda calls: scenario(True, calls),
    "teleservice-cold": lambda calls: teleservice_scenario(False, calls),
    "teleservice-warm": lambda calls: teleservice_scenario(True, calls),
}


def _in_fresh_process(name: str, calls: int) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.insi_warmup_bench", "--calls", str(calls),
               "--scenario", name]  # fmt: skip
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return result


def _repeated(name: str, calls: int, repeat: int) -> dict[str, Any]:
    runs = [_in_fresh_process(name, calls) for _ in range(repeat)]
    first = statistics.median(run["first_ms"] for run in runs)
    later = statistics.median(run["later_p50_ms"] for run in runs)
    waited = [run["warm_up_ms_waited"] for run in runs if run["warm_up_ms_waited"] is not None]
    return {
        "processes": repeat,
        "calls_per_process": calls,
        "warm_up_ms_median": round(statistics.median(waited), 1) if waited else None,
        "first_ms_median": round(first, 2),
        "later_ms_median": round(later, 2),
        "ratio_first_later": round(first / later, 2),
        "runs": runs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--scenario", choices=tuple(SCENARIOS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scenario:
        print(json.dumps(SCENARIOS[args.scenario](args.calls)))
        return
    runs = {name: _repeated(name, args.calls, args.repeat) for name in SCENARIOS}
    payload = {
        "target_ratio_first_later": TARGET_RATIO,
        # what a user waits for (the API route), then the INSi call alone
        "ratio_first_later": runs["api-warm"]["ratio_first_later"],
        "teleservice_ratio_first_later": runs["teleservice-warm"]["ratio_first_later"],
        "with_warm_up": {"teleservice": runs["teleservice-warm"], "api": runs["api-warm"]},
        "without_warm_up": {"teleservice": runs["teleservice-cold"], "api": runs["api-cold"]},
    }
    path = write_result("insi_warmup", payload)
    print(json.dumps(payload, indent=2))
    print(f"written to {path}")


if __name__ == "__main__":
    main()
