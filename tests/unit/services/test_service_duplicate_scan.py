"""The batch scan and the estimation on the fake unit of work: blocking, patterns, model."""

from __future__ import annotations

import math
from typing import Any

import pytest

from fakes import INS_A, NOW, FakeUnitOfWork, actor_with_role, in_collision, make_identity
from identito.domain.duplicate_model import Trait
from identito.domain.duplicates import levels, probability, record_of, score_records
from identito.domain.errors import PermissionDenied
from identito.domain.identity import Identity
from identito.domain.permissions import Role
from identito.domain.status import IdentityStatus
from identito.services import duplicate_blocking, duplicate_scan
from identito.services.auth import SYSTEM
from identito.services.duplicate_blocking import BlockingReport, candidate_pairs
from identito.services.duplicate_scan import Weigher, estimate_model, scan_pairs
from identito.services.duplicates import jaro_winkler, model_for
from identito.services.rules import Rules

#: The reference person: DUPONT Jean Christophe Pierre, M, 12/03/1980, 2B020.
PATTERNS: dict[str, dict[str, Any]] = {
    "typing error": {"birth_name": "DUPINT"},
    "typo in the first 3 letters": {"birth_name": "DUPPONT"},
    "first names swapped": {"first_birth_first_name": "CHRISTOPHE",
                            "birth_first_names": ["CHRISTOPHE", "JEAN"]},
    "first names missing": {"birth_first_names": ["JEAN"]},
    "birth name entered as used name": {"birth_name": "MARTIN", "used_name": "DUPONT"},
    "hyphen variant": {"birth_name": "DU-PONT"},
    "day and month swapped": {"birth_date": "1980-12-03"},
    "neighbouring birth place": {"birth_place_code": "2B033"},
}  # fmt: skip
STRANGERS = [
    {"birth_name": name, "first_birth_first_name": first, "birth_first_names": [first],
     "birth_date": born}
    for name, first, born in [("LEFEBVRE", "LUC", "1980-03-12"), ("BERNARD", "PAUL", "1975-01-02"),
                              ("PETIT", "ANNE", "1980-03-12"), ("DURAND", "JEAN", "1990-07-08")]
]  # fmt: skip


def _store(uow: FakeUnitOfWork, *identities: Identity) -> None:
    with uow:
        for identity in identities:
            uow.identities.add(identity)
        uow.commit(SYSTEM, NOW)


@pytest.fixture
def base() -> tuple[FakeUnitOfWork, Identity, dict[str, Identity]]:
    uow = FakeUnitOfWork()
    reference = make_identity()
    variants = {name: make_identity(**changes) for name, changes in PATTERNS.items()}
    _store(uow, reference, *variants.values(), *(make_identity(**s) for s in STRANGERS))
    return uow, reference, variants


def test_the_scan_finds_a_duplicate_for_every_error_pattern(base: Any) -> None:
    uow, reference, variants = base
    found = {(p.first_id, p.second_id) for p in scan_pairs(uow, threshold=0.5)}
    for pattern, variant in variants.items():
        assert tuple(sorted((reference.id, variant.id))) in found, pattern


def test_scanned_pairs_are_ordered_explained_and_above_the_threshold(base: Any) -> None:
    uow, *_ = base
    pairs = list(scan_pairs(uow, threshold=0.5))
    assert pairs
    for pair in pairs:
        assert pair.first_id < pair.second_id
        assert pair.score >= 0.5
        assert [line.trait for line in pair.explanation] == list(Trait)


def test_blocking_never_compares_all_pairs(base: Any) -> None:
    uow, *_ = base
    records = list(uow.identities.scan_records())
    pairs, report = candidate_pairs(records)
    n = len(records)
    assert 0 < report.pairs == len(pairs) < n * (n - 1) // 2


@pytest.mark.parametrize(
    "changes",
    [{"birth_name": "DUPPONT", "birth_date": "1980-05-17"},  # typo in the first 3 letters
     {"birth_name": "TUPONT", "birth_date": "1980-03-12"},  # typo that changes the sound
     {"birth_name": "MARTIN", "used_name": "DUPONT", "birth_date": "1981-03-12"},  # married
     {"birth_date": "1980-04-12"},  # a birth date error in the month
     {"birth_date": "1908-03-12"}],  # a birth date error in the year
)  # fmt: skip
def test_blocking_pairs_errors_that_change_the_first_letters_or_the_date(
    changes: dict[str, Any],
) -> None:
    uow = FakeUnitOfWork()
    reference, variant = make_identity(sex="F"), make_identity(sex="F", **changes)
    _store(uow, reference, variant, *(make_identity(**s) for s in STRANGERS))
    records = list(uow.identities.scan_records())
    pairs, _ = candidate_pairs(records)
    index = {r.id: i for i, r in enumerate(records)}
    i, j = sorted((index[reference.id], index[variant.id]))
    assert i * len(records) + j in pairs


def test_a_huge_block_is_compared_by_sorted_neighbourhood(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(duplicate_blocking, "BLOCK_CAP", 5)
    monkeypatch.setattr(duplicate_blocking, "WINDOW", 2)
    uow = FakeUnitOfWork()
    _store(uow, *(make_identity(birth_date=f"19{50 + k}-01-01") for k in range(12)))
    records = list(uow.identities.scan_records())
    pairs, report = candidate_pairs(records, rules=["name+first+day"])
    assert report.capped == 3  # one block per first name: JEAN, CHRISTOPHE, PIERRE
    assert len(pairs) == 11 + 10  # each record with its 2 next neighbours, not 66 pairs


def test_the_same_active_ins_is_always_yielded_as_blocking() -> None:
    uow = FakeUnitOfWork()
    first = in_collision(make_identity(IdentityStatus.RETRIEVED, ins=INS_A))  # as 0011 leaves them
    other = in_collision(make_identity(IdentityStatus.RETRIEVED, ins=INS_A, birth_name="LEFEBVRE",
                          first_birth_first_name="LUC", birth_first_names=["LUC"],
                          birth_date="1950-01-02", sex="F"))  # fmt: skip
    _store(uow, first, other)
    pairs = list(scan_pairs(uow, threshold=0.99))
    assert [(p.blocking, p.score) for p in pairs] == [(True, 1.0)]


def test_an_inactive_identity_is_never_scanned(base: Any) -> None:
    uow, reference, variants = base
    merged = variants["typing error"]
    with uow:
        stored = uow.identities.get(merged.id)
        stored.active = False
        uow.identities.update(stored)
        uow.commit(SYSTEM, NOW)
    found = {i for p in scan_pairs(uow, threshold=0.5) for i in (p.first_id, p.second_id)}
    assert merged.id not in found and reference.id in found


def test_progress_counts_the_scored_pairs_up_to_the_total(base: Any) -> None:
    uow, *_ = base
    calls: list[tuple[int, int]] = []
    list(scan_pairs(uow, threshold=0.5, progress=lambda done, total: calls.append((done, total))))
    assert calls[0][0] == 0
    assert calls[-1][0] == calls[-1][1] > 0


def test_parallel_scoring_finds_the_same_pairs(base: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    uow, *_ = base
    serial = [(p.first_id, p.second_id, p.score) for p in scan_pairs(uow, threshold=0.1)]
    monkeypatch.setattr(duplicate_scan, "PARALLEL_FROM", 0)
    monkeypatch.setattr(duplicate_scan, "CHUNK", 3)
    report = BlockingReport({})
    parallel = [(p.first_id, p.second_id, p.score)
                for p in scan_pairs(uow, threshold=0.1, workers=2, report=report)]  # fmt: skip
    assert parallel == serial and report.pairs > 3


def test_the_fast_weights_of_the_scan_are_the_explained_ones(base: Any, rules: Rules) -> None:
    uow, *_ = base
    model = estimate_model(uow, actor=SYSTEM, rules=rules, random_pairs=2000)
    frequencies = uow.duplicate_model.term_frequencies()
    weigher = Weigher(model, frequencies)
    records = list(uow.identities.scan_records())
    for a in records:
        for b in records:
            pair = score_records(
                a, b, similarity=jaro_winkler, model=model, frequencies=frequencies
            )
            fast = probability([weigher.log_odds(levels(a, b, jaro_winkler)) - model.prior],
                               model.prior)  # fmt: skip
            if not pair.blocking:
                assert min(round(fast, 4), 0.9999) == pair.score


def test_the_estimation_is_stored_and_used_by_the_check_at_creation(
    base: Any, rules: Rules
) -> None:
    uow, reference, _ = base
    model = estimate_model(uow, actor=SYSTEM, rules=rules, random_pairs=5000)
    assert model.estimated and math.isfinite(model.prior) and model.prior <= 0
    assert model.details["records"] == len(PATTERNS) + len(STRANGERS) + 1
    with uow:
        stored, frequencies = model_for(record_of(reference), uow=uow)
    assert stored == uow.duplicate_model.parameters()
    assert frequencies.sums[Trait.NAME] > 0 and "DUPONT" in frequencies.shares[Trait.NAME]
    for trait, found in model.levels.items():
        assert all(0 < m <= 1 and 0 < u <= 1 for m, u in found.values()), trait


def test_estimating_the_model_is_for_identity_vigilance_and_audited(
    base: Any, rules: Rules
) -> None:
    uow, *_ = base
    with pytest.raises(PermissionDenied):
        estimate_model(uow, actor=actor_with_role(Role.ADMISSION), rules=rules, random_pairs=500)
    assert uow.duplicate_model.parameters() is None
    vigilance = actor_with_role(Role.IDENTITY_VIGILANCE)
    model = estimate_model(uow, actor=vigilance, rules=rules, random_pairs=500)
    [row] = [e for e in uow.audit.entries if e.action == "duplicates.model_estimated"]
    assert row.actor == vigilance.username
    assert row.details == {"records": model.details["records"], "prior": model.prior,
                           "twins": model.twins}  # fmt: skip
