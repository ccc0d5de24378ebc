"""Mass INS verification: a campaign over N identities against the INSi simulator.

The simulator runs **in-process** (``SimulatedTeleservice``): each batch is a real
SOAP envelope built by the client pipeline, checked against the XSDs and answered
by the simulator's engine, then parsed; only the network is absent. The database
is a fresh SQLite file (or PostgreSQL with ``--database postgres``).

Measured end to end: open the run (perimeter query, items written), deposit each
batch, fetch it, apply the results (items done, verification dates), trace every
call. The rate excludes the set-up (building the simulator's base and inserting
the identities). Memory is sampled at every tenth of the run: the resident set
size now (``/proc/self/statm``) and the peak (``getrusage``), plus the Python
heap (``tracemalloc``) when ``--tracemalloc`` is given (slower).

Target (issue 5): >= 1,000 verifications/s at 1M, memory flat.

    python -m bench.verification_bench --identities 20000
"""

from __future__ import annotations

import argparse
import os
import resource
import time
import tracemalloc
from datetime import date
from typing import Any

from bench.common import fresh_database, write_result
from identito.adapters.insi.simulator.engine import SimulatorEngine
from identito.adapters.insi.simulator.teleservice import SimulatedTeleservice, reference_base
from identito.adapters.unit_of_work import sql_uow_factory
from identito.config import Settings
from identito.domain.identifiers import Ins
from identito.domain.identity import Identity
from identito.domain.permissions import Actor, Role, role_permissions
from identito.domain.trait_set import parse_traits
from identito.services.rules import Rules
from identito.services.verification_campaigns import (
    RunOptions,
    create_campaign,
    open_run,
    run_campaign,
)

ADMIN = Actor("bench", Role.ADMIN, role_permissions(Role.ADMIN))
PAGE = os.sysconf("SC_PAGE_SIZE")


class AnyPlace:
    def check_birth_place(self, code: str, on: date) -> str | None:
        return None


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * PAGE / 1e6


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


def load_identities(url: str, engine: SimulatorEngine, count: int, rules: Rules) -> int:
    uow = sql_uow_factory(url)()
    stored, chunk = 0, []
    for person in engine.base.persons:
        names = person.birth_first_names.split(" ")
        raw = {
            "birth_name": person.birth_name, "birth_first_names": names,
            "first_birth_first_name": names[0], "birth_date": person.birth_date,
            "sex": person.sex, "birth_place_code": person.birth_place_code,
        }  # fmt: skip
        try:
            traits, warnings = parse_traits(raw, today=date(2026, 3, 1), places=AnyPlace())
            ins = Ins.parse(person.ins_number, person.oid, allow_test_oids=True)
        except Exception:  # outside the local rules (CNDA keys failing mod 97...)
            continue
        now = rules.now()
        identity = Identity.create(traits, warnings, now=now)
        identity.record_ins_retrieval(ins, now=now)
        chunk.append(identity)
        if len(chunk) == 5000 or stored + len(chunk) == count:
            with uow:
                for item in chunk:
                    uow.identities.add(item)
                uow.commit(ADMIN, now)
            stored += len(chunk)
            chunk = []
        if stored == count:
            break
    return stored


def run(
    count: int, database: str, batch_size: int, in_flight: int, trace_heap: bool
) -> dict[str, Any]:
    settings = Settings(insi_simulator_population=count)
    started = time.perf_counter()
    engine = SimulatorEngine(reference_base(count + 1000, settings.insi_simulator_seed))
    teleservice = SimulatedTeleservice(engine, settings)
    rules = Rules(places=AnyPlace())
    with fresh_database(database) as url:
        stored = load_identities(url, engine, count, rules)
        setup_s = time.perf_counter() - started
        uow = sql_uow_factory(url)()
        campaign = create_campaign(
            name="bench", perimeter="query", query="with-ins", batch_size=batch_size,
            uow=uow, actor=ADMIN, rules=rules,
        )  # fmt: skip
        if trace_heap:
            tracemalloc.start()
        samples: list[dict[str, float]] = []
        done = [0]
        next_sample = [max(stored // 10, 1)]
        t0 = time.perf_counter()

        def progress(n: int) -> None:
            done[0] += n
            if done[0] >= next_sample[0]:
                next_sample[0] += max(stored // 10, 1)
                elapsed = time.perf_counter() - t0
                sample = {
                    "done": done[0],
                    "elapsed_s": round(elapsed, 2),
                    "rate_per_s": round(done[0] / elapsed, 1),
                    "rss_mb": round(rss_mb(), 1),
                    "peak_rss_mb": round(peak_mb(), 1),
                }
                if trace_heap:
                    current, peak = tracemalloc.get_traced_memory()
                    sample.update(
                        heap_mb=round(current / 1e6, 1), heap_peak_mb=round(peak / 1e6, 1)
                    )
                samples.append(sample)
                print(sample, flush=True)

        run_, _ = open_run(campaign.id, uow=uow, actor=ADMIN, rules=rules)
        opened_s = time.perf_counter() - t0
        final = run_campaign(
            run_.id, uow=uow, actor=ADMIN, rules=rules, teleservice=teleservice,
            options=RunOptions(max_in_flight=in_flight, poll_seconds=0), on_progress=progress,
        )  # fmt: skip
        total_s = time.perf_counter() - t0
    return {
        "identities": stored,
        "database": database,
        "simulator": "in-process SimulatedTeleservice (SOAP envelopes, XSD-checked, no network)",
        "batch_size": batch_size,
        "max_in_flight": in_flight,
        "setup_s": round(setup_s, 1),
        "open_run_s": round(opened_s, 2),
        "total_s": round(total_s, 2),
        "verifications_per_s": round(stored / total_s, 1),
        "results": final.results,
        "samples": samples,
        "peak_rss_mb": round(peak_mb(), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--identities", type=int, default=20_000)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--in-flight", type=int, default=4)
    parser.add_argument("--tracemalloc", action="store_true")
    args = parser.parse_args()
    result = run(args.identities, args.database, args.batch_size, args.in_flight, args.tracemalloc)
    name = f"verification-{args.database}-{args.identities}"
    print(write_result(name, result))
    print({k: v for k, v in result.items() if k != "samples"})


if __name__ == "__main__":
    main()
