"""Creation throughput before and after "one person, one creation" (issue 12 point 3).

``after`` is ``services.identities.create_identity`` (the strict-traits lock, then the
look-up of the same person, one round trip on PostgreSQL); ``before`` is the same use
case without them (its body before issue 12, copied here). Rounds alternate
before/after in ABBA order on one database, so both see the same machine load and on
average the same growing table; each creation is its own unit
of work. Result: ``bench/results/creation_idempotence.json`` (ratio after/before and
absolute creations per second, per engine).

    PYTHONPATH=src python -m bench.creation_idempotence_bench [--per-round 200 --rounds 6]
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from bench.common import fresh_database, typable_people, write_result
from identito.domain.duplicate_reviews import Source
from identito.domain.identity import Identity
from identito.domain.insi import CollectionMethod
from identito.domain.permissions import Actor, Role, role_permissions
from identito.domain.trait_set import parse_traits
from identito.services.duplicate_watch import watch_duplicates
from identito.services.identities import create_identity

ACTOR = Actor("bench", Role.ADMISSION, role_permissions(Role.ADMISSION))


def _before(data: dict[str, Any], *, uow: Any, rules: Any) -> None:
    """``create_identity`` as it was before issue 12 (no lock, no same-person look-up)."""
    now = rules.now()
    traits, warnings = parse_traits(data, today=now.date(), places=rules.places)
    identity = Identity.create(traits, warnings, now=now, collection_method=CollectionMethod.MANUAL)
    with uow:
        uow.identities.add(identity)
        watch_duplicates(identity, uow=uow, rules=rules, source=Source.CREATION)
        uow.commit(ACTOR, now)


def _after(data: dict[str, Any], *, uow: Any, rules: Any) -> None:
    create_identity(data, uow=uow, actor=ACTOR, rules=rules)


def run(kind: str, per_round: int, rounds: int) -> dict[str, Any]:
    from identito.adapters.places import InseeBirthPlaces
    from identito.adapters.unit_of_work import sql_uow_factory
    from identito.geography import get_reference
    from identito.services.rules import Rules

    rules = Rules(places=InseeBirthPlaces(get_reference()))
    people = iter(typable_people(rules, per_round * rounds * 2, seed=12))
    seconds = {"before": 0.0, "after": 0.0}
    with fresh_database(kind) as url:
        factory = sql_uow_factory(url)
        for round_number in range(rounds):
            order = (("before", _before), ("after", _after))
            for name, create in order if round_number % 2 == 0 else order[::-1]:  # ABBA
                batch = [next(people) for _ in range(per_round)]
                start = time.perf_counter()
                for data in batch:
                    create(data, uow=factory(), rules=rules)
                seconds[name] += time.perf_counter() - start
    count = per_round * rounds
    rate = {name: round(count / spent, 1) for name, spent in seconds.items()}
    return {
        "database": kind,
        "creations_each": count,
        "rounds": rounds,
        "before_per_second": rate["before"],
        "after_per_second": rate["after"],
        "ratio_after_over_before": round(rate["after"] / rate["before"], 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--per-round", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--engines", default="sqlite,postgres")
    args = parser.parse_args()
    results = []
    for kind in args.engines.split(","):
        result = run(kind, args.per_round, args.rounds)
        print(result, flush=True)
        results.append(result)
    path = write_result("creation_idempotence", {"results": results})
    print(f"written: {path}")


if __name__ == "__main__":
    main()
