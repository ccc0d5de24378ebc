"""Duplicate detection: precision, recall and F1 of the batch scan and of the check at
creation, scan time, p99 of the check, and Splink (DuckDB) side by side.

``python -m bench.duplicates_bench --size 1000000``: synthetic persons with injected
duplicates (``bench.duplicates_data``, seeded) are stored through the unit of work
(traits parsed as at creation; birth places are accepted without the INSEE check,
which is not what is measured), then: the scan with the default parameters, the
estimation, the scan with the estimated model, the check at creation on probes
never stored (half variants of stored persons, half new persons), and Splink on
the same records. Two records are a true pair when they belong to one person.
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from itertools import combinations
from typing import Any
from uuid import UUID

from bench.common import fresh_database, percentiles, write_result
from bench.duplicates_data import Person, dataset, probes
from identito.bootstrap import bootstrap
from identito.config import Settings
from identito.domain.errors import InvalidInput
from identito.domain.identity import Identity
from identito.domain.trait_set import parse_traits
from identito.services.auth import SYSTEM
from identito.services.duplicate_blocking import BlockingReport
from identito.services.duplicate_scan import estimate_model, scan_pairs
from identito.services.duplicates import check_duplicates
from identito.services.rules import Rules
from identito.services.unit_of_work import UnitOfWork

BATCH = 10_000
TARGETS = {"scan_seconds_at_1M": 300, "check_p99_ms_at_1M": 50, "f1": "≥ Splink's"}


class AnyPlace:
    """Birth places accepted as they are (the INSEE check is not measured here)."""

    def check_birth_place(self, code: str, on: date) -> str | None:
        return None


def store(uow_factory: Any, rules: Rules, people: Sequence[Person]) -> dict[UUID, Person]:
    """Create the identities (traits parsed as at creation), in batches; id -> person."""
    stored: dict[UUID, Person] = {}
    now = rules.now()
    for start in range(0, len(people), BATCH):
        with uow_factory() as uow:
            for person in people[start : start + BATCH]:
                try:
                    traits, warnings = parse_traits(
                        person.traits, today=now.date(), places=rules.places
                    )
                except InvalidInput:
                    continue
                identity = Identity.create(traits, warnings, now=now)
                identity.pop_events()  # no audit rows: not what is measured
                uow.identities.add(identity)
                stored[identity.id] = person
            uow.commit(SYSTEM, now)
    return stored


def _kind(a: Person, b: Person) -> str:
    """The pattern a true pair shows: the injected side's (two injected: both)."""
    kinds = sorted({a.kind, b.kind} - {"original"})
    return "+".join(kinds) or "original"


def expected_by_kind(stored: dict[UUID, Person]) -> Counter[str]:
    clusters: dict[int, list[Person]] = {}
    for person in stored.values():
        clusters.setdefault(person.person, []).append(person)
    return Counter(
        _kind(a, b) for members in clusters.values() for a, b in combinations(members, 2)
    )


def quality(
    found: Iterable[tuple[Any, Any]], stored: dict[UUID, Person], expected: Counter[str]
) -> dict[str, Any]:
    """Precision, recall, F1 of predicted pairs; recall per pattern; false pairs by kind."""
    hits, total, by_kind, false_by_kind = 0, 0, Counter[str](), Counter[str]()
    for left, right in found:
        a, b = stored[UUID(str(left))], stored[UUID(str(right))]
        total += 1
        if a.person == b.person:
            hits += 1
            by_kind[_kind(a, b)] += 1
        else:
            false_by_kind["/".join(sorted({a.kind, b.kind}))] += 1
    return _prf(hits, total, sum(expected.values())) | {
        "recall_by_pattern": {k: round(by_kind[k] / n, 4) for k, n in sorted(expected.items())},
        "false_pairs_by_kind": dict(false_by_kind.most_common()),
    }


def _prf(hits: int, predicted: int, expected: int) -> dict[str, Any]:
    precision = hits / predicted if predicted else 0.0
    recall = hits / expected if expected else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "predicted": predicted, "true_positives": hits, "expected": expected,
        "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
    }  # fmt: skip


def run_scan(uow: UnitOfWork, stored: dict[UUID, Person], threshold: float) -> dict[str, Any]:
    report = BlockingReport({})
    started = time.perf_counter()
    pairs = [(p.first_id, p.second_id) for p in scan_pairs(uow, threshold=threshold, report=report)]
    seconds = time.perf_counter() - started
    blocking = {"blocks": report.blocks, "capped_blocks": report.capped, "pairs": report.pairs}
    return {"seconds": round(seconds, 2), "blocking": blocking} | quality(
        pairs, stored, expected_by_kind(stored)
    )


def run_checks(
    uow_factory: Any, rules: Rules, stored: dict[UUID, Person], probe_list: list[Person],
    threshold: float,
) -> dict[str, Any]:  # fmt: skip
    """The check at creation on each probe: latency, and whether it finds its person."""
    samples, found_right, found_wrong, injected, hits = [], 0, 0, 0, 0
    for probe in probe_list[:20]:  # warm-up
        check_duplicates(probe.traits, uow=uow_factory(), actor=SYSTEM, rules=rules)
    for probe in probe_list:
        started = time.perf_counter()
        found = check_duplicates(
            probe.traits, uow=uow_factory(), actor=SYSTEM, rules=rules, threshold=threshold
        )
        samples.append((time.perf_counter() - started) * 1000)
        right = sum(stored[d.identity.id].person == probe.person for d in found)
        found_right += right
        found_wrong += len(found) - right
        if probe.person >= 0:
            injected += 1
            hits += right > 0
    precision = found_right / (found_right + found_wrong) if found_right + found_wrong else 0.0
    recall = hits / injected if injected else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "probes": len(probe_list), "injected_probes": injected,
        "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
        "latency": percentiles(samples),
    }  # fmt: skip


def run(
    kind: str, size: int, *, probe_count: int, threshold: float, splink: bool
) -> dict[str, Any]:
    people = dataset(size)
    probe_list = probes(people, probe_count)
    result: dict[str, Any] = {"database": kind, "size": size, "threshold": threshold}
    with fresh_database(kind) as url:
        container = bootstrap(Settings(database_url=url))
        rules = replace(container.rules, places=AnyPlace())
        factory = container.uow_factory
        started = time.perf_counter()
        stored = store(factory, rules, people)
        result["stored"] = {
            "identities": len(stored),
            "seconds": round(time.perf_counter() - started, 1),
        }
        print(f"[{kind} {size:,}] stored: {result['stored']}", flush=True)
        result["scan_default_model"] = run_scan(factory(), stored, threshold)
        print(
            f"[{kind} {size:,}] scan, default model: {_short(result['scan_default_model'])}",
            flush=True,
        )
        started = time.perf_counter()
        model = estimate_model(factory(), actor=SYSTEM, rules=rules)
        result["estimation"] = {
            "seconds": round(time.perf_counter() - started, 2),
            "prior": round(model.prior, 2),
        } | dict(model.details)
        print(f"[{kind} {size:,}] estimation: {result['estimation']}", flush=True)
        result["scan"] = run_scan(factory(), stored, threshold)
        print(f"[{kind} {size:,}] scan, estimated model: {_short(result['scan'])}", flush=True)
        result["check"] = run_checks(factory, rules, stored, probe_list, threshold)
        print(f"[{kind} {size:,}] check at creation: {_short(result['check'])}", flush=True)
        if splink and importlib.util.find_spec("splink") is None:
            result["splink_skipped"] = "splink is not installed: pip install -e '.[bench]'"
        elif splink:
            from bench.duplicates_splink import run_splink

            with factory() as uow:
                records = list(uow.identities.scan_records())
            found = run_splink(records, threshold=threshold)
            result["splink"] = {"seconds": found["seconds"]} | quality(
                found["pairs"], stored, expected_by_kind(stored)
            )
            print(f"[{kind} {size:,}] splink: {_short(result['splink'])}", flush=True)
    return result


def _short(figures: dict[str, Any]) -> dict[str, Any]:
    keys = ("seconds", "precision", "recall", "f1", "predicted", "latency")
    return {k: figures[k] for k in keys if k in figures}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--probes", type=int, default=2000)
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--no-splink", action="store_true")
    parser.add_argument("--name", default="duplicates")
    parser.add_argument("--note", default="", help="conditions of the run, kept in the result")
    args = parser.parse_args()
    runs = [
        run(kind, args.size, probe_count=args.probes, threshold=args.threshold,
            splink=not args.no_splink and index == 0)
        for index, kind in enumerate(args.databases.split(","))
    ]  # fmt: skip
    path = write_result(args.name, {"targets": TARGETS, "note": args.note, "runs": runs})
    print(f"written to {path}")


if __name__ == "__main__":
    main()
