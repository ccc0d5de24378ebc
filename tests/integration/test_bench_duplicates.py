"""The duplicate benchmark at a tiny size, so that it cannot rot: generator, ground
truth, scoring of the scan, the check at creation and Splink (when installed)."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[2]))  # the repository root holds bench/

from bench.duplicates_bench import (
    AnyPlace,
    expected_by_kind,
    quality,
    run_checks,
    run_scan,
    store,
)
from bench.duplicates_data import PATTERNS, dataset, probes

from fakes import FakeUnitOfWork
from identito.services.rules import Rules


def test_the_synthetic_data_is_deterministic_and_injects_every_pattern() -> None:
    first, again = dataset(3000, seed=5), dataset(3000, seed=5)
    assert first == again
    kinds = {p.kind for p in first}
    assert set(PATTERNS) | {"original", "homonym", "twin"} <= kinds
    originals = {p.person: p.traits for p in first if p.kind == "original"}
    for person in first:
        if person.kind in PATTERNS and person.kind != "exact_copy":
            assert person.traits != originals[person.person], person.kind
        if person.kind in ("homonym", "twin"):
            assert person.person not in originals


def test_common_names_are_common() -> None:
    names = [p.traits["birth_name"] for p in dataset(5000, seed=5)]
    assert names.count("MARTIN") > 10 * max(names.count("ZORN"), 1)


def test_the_scan_and_the_check_are_scored_against_the_ground_truth(rules: Rules) -> None:
    people = dataset(3000, seed=5)
    uow = FakeUnitOfWork()
    permissive = replace(rules, places=AnyPlace())
    stored = store(lambda: uow, permissive, people)
    scan = run_scan(uow, stored, 0.5)
    assert scan["expected"] == sum(expected_by_kind(stored).values()) > 0
    assert 0.5 < scan["recall"] <= 1 and 0.5 < scan["precision"] <= 1
    checks = run_checks(lambda: uow, permissive, stored, probes(people, 40, seed=5), 0.5)
    assert checks["injected_probes"] == 20 and checks["latency"]["n"] == 40
    assert checks["recall"] > 0.5


def test_splink_runs_on_the_same_records(rules: Rules) -> None:
    pytest.importorskip("splink", reason="Splink is in the bench extra; make test installs it")
    from bench.duplicates_splink import run_splink

    people = dataset(2000, seed=5)
    uow = FakeUnitOfWork()
    stored = store(lambda: uow, replace(rules, places=AnyPlace()), people)
    found = run_splink(list(uow.identities.scan_records()), threshold=0.5)
    figures = quality(found["pairs"], stored, expected_by_kind(stored))
    assert figures["recall"] > 0.5 and found["seconds"]["total"] > 0
