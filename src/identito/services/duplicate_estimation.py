"""Estimate the duplicate model on the base itself, and store it.

As Splink does: ``u`` from random pairs of active identities (two random records
are almost never one person), then ``m`` by expectation-maximisation on two
training blockings, each leaving out of the likelihood the traits it blocked on:

- same birth date: ``m`` of names, first names, sex and birth place;
- same name, first birth first name (search keys) and birth place: ``m`` of the
  birth date and sex (the place keeps the blocks small enough for duplicates to
  stand out at 1M identities: without it, MARTIN JEAN pairs drown them).

Sex takes the mean of both sessions. The prior (log2-odds that two
random records are one person) comes from the share of matches among the
same-date pairs, divided by ``m`` of an exact date. Term frequencies are the
shares of name and first-name search keys and of birth places; values seen once
are left out (the floor stands for them). The ``INS`` trait keeps its fixed parameters: a rule.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from random import Random

from identito.domain.duplicate_model import (
    DEFAULT,
    ESTIMATED,
    Agreement,
    ModelParameters,
    Pattern,
    TermFrequencies,
    Trait,
    estimate_m,
    estimate_m_twins,
)
from identito.domain.duplicates import MatchRecord, levels
from identito.domain.events import AuditAction
from identito.domain.permissions import Actor, Permission
from identito.domain.traits import UNKNOWN_BIRTH_PLACE
from identito.services.duplicate_blocking import exact_blocks, sampled_pairs
from identito.services.duplicates import jaro_winkler
from identito.services.rules import Rules
from identito.services.unit_of_work import AuditEntry, UnitOfWork

Progress = Callable[[int, int], None]
#: Random pairs for ``u``, and most pairs of each training blocking.
RANDOM_PAIRS = 1_000_000
TRAINING_PAIRS = 1_000_000
#: Values kept in the frequency table: seen at least this often.
MIN_COUNT = 2
_STEPS = 5


def estimate_model(
    uow: UnitOfWork,
    *,
    actor: Actor,
    rules: Rules,
    progress: Progress | None = None,
    random_pairs: int = RANDOM_PAIRS,
    training_pairs: int = TRAINING_PAIRS,
    seed: int = 2026,
) -> ModelParameters:
    """Estimate ``m``, ``u``, the prior and the term frequencies; store and return them.

    Every later score uses the stored estimate, so it is a deliberate act of the
    identity-vigilance unit or the administrator (``duplicates:review``), audited
    (``duplicates.model_estimated``, with the prior, the twin ratio and the base size).
    """
    actor.require(Permission.DUPLICATES_REVIEW)
    step = progress or (lambda done, total: None)
    with uow:
        records = list(uow.identities.scan_records())
    parameters, frequencies = estimate_parameters(
        records, progress=step, random_pairs=random_pairs, training_pairs=training_pairs,
        seed=seed,
    )  # fmt: skip
    now = rules.now()
    with uow:
        uow.duplicate_model.save(parameters, frequencies)
        details = {"records": len(records), "prior": parameters.prior, "twins": parameters.twins}
        uow.add_audit(
            AuditEntry(actor.username, now, AuditAction.DUPLICATE_MODEL_ESTIMATED, None,
                       details=details)
        )  # fmt: skip
        uow.commit(actor, now)
    step(_STEPS, _STEPS)
    return parameters


def estimate_parameters(
    records: Sequence[MatchRecord],
    *,
    progress: Progress | None = None,
    random_pairs: int = RANDOM_PAIRS,
    training_pairs: int = TRAINING_PAIRS,
    seed: int = 2026,
) -> tuple[ModelParameters, TermFrequencies]:
    """The model and term frequencies estimated on ``records`` (nothing stored)."""
    step = progress or (lambda done, total: None)
    step(1, _STEPS)
    rng = Random(seed)
    frequencies = term_frequencies(records)
    u, sampled = _u_levels(records, rng, random_pairs)
    step(2, _STEPS)
    by_date, date_total = _training(records, rng, training_pairs, lambda r: r.born_raw)
    m_date, share_date, twin_date = estimate_m_twins(by_date, u=u, start=DEFAULT)
    step(3, _STEPS)
    by_name, _ = _training(
        records, rng, training_pairs, lambda r: (r.birth_key, r.first_key, r.place)
    )
    m_name, _ = estimate_m(
        by_name, u=u, start=DEFAULT, fixed=(Trait.NAME, Trait.FIRST_NAMES, Trait.BIRTH_PLACE)
    )
    step(4, _STEPS)
    m = {
        Trait.NAME: m_date[Trait.NAME],
        Trait.FIRST_NAMES: m_date[Trait.FIRST_NAMES],
        Trait.BIRTH_DATE: m_name[Trait.BIRTH_DATE],
        Trait.SEX: _mean(m_date[Trait.SEX], m_name[Trait.SEX]),
        Trait.BIRTH_PLACE: m_date[Trait.BIRTH_PLACE],
    }
    n = len(records)
    matches = share_date * date_total / max(m[Trait.BIRTH_DATE][Agreement.EXACT], 1e-6)
    share = min(max(matches / max(n * (n - 1) / 2, 1.0), 1e-12), 0.5)
    twin_pairs = twin_date * date_total  # twins are born the same day
    twins = twin_pairs / max(matches, 1.0)
    parameters = ModelParameters(
        levels={
            **{t: {a: (m[t][a], u[t][a][1]) for a in u[t]} for t in ESTIMATED},
            Trait.INS: DEFAULT.levels[Trait.INS],
        },
        prior=math.log2(share / (1.0 - share)),
        estimated=True,
        twins=twins,
        details={
            "records": n, "random_pairs": sampled, "same_date_pairs": date_total,
            "same_date_match_share": share_date, "estimated_matches": round(matches),
            "same_date_twin_share": twin_date, "estimated_twin_pairs": round(twin_pairs),
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
        },
    )  # fmt: skip
    return parameters, frequencies


def term_frequencies(records: Sequence[MatchRecord]) -> TermFrequencies:
    """Shares of the name keys (birth and used), first birth first names, birth places."""
    counts = {
        Trait.NAME: Counter(k for r in records for k in r.names),
        Trait.FIRST_NAMES: Counter(r.first_key for r in records if r.first_key),
        Trait.BIRTH_PLACE: Counter(r.place for r in records if r.place != UNKNOWN_BIRTH_PLACE),
    }
    shares, sums, floors = {}, {}, {}
    for trait, found in counts.items():
        total = max(sum(found.values()), 1)
        shares[trait] = {k: c / total for k, c in found.items() if c >= MIN_COUNT}
        sums[trait] = math.fsum((c / total) ** 2 for c in found.values())
        floors[trait] = 1.0 / total
    return TermFrequencies(shares, sums, floors)


def _pattern(a: MatchRecord, b: MatchRecord) -> Pattern:
    found = levels(a, b, jaro_winkler)
    return tuple(found[i][0] for i in range(len(ESTIMATED)))


def _u_levels(
    records: Sequence[MatchRecord], rng: Random, count: int
) -> tuple[dict[Trait, dict[Agreement, tuple[float, float]]], int]:
    """``u`` of every level from random pairs (add-one smoothing: no level is 0)."""
    n = len(records)
    counts: dict[Trait, Counter[Agreement]] = {t: Counter() for t in ESTIMATED}
    sampled = min(count, n * (n - 1) // 2) if n > 1 else 0
    for _ in range(sampled):
        i, j = rng.randrange(n), rng.randrange(n - 1)
        pattern = _pattern(records[i], records[j + (j >= i)])
        for trait, level in zip(ESTIMATED, pattern, strict=True):
            counts[trait][level] += 1
    u = {}
    for trait in ESTIMATED:
        found = DEFAULT.levels[trait]
        seen = sum(counts[trait][a] for a in found)
        u[trait] = {a: (0.0, (counts[trait][a] + 1) / (seen + len(found))) for a in found}
    return u, sampled


def _training(
    records: Sequence[MatchRecord], rng: Random, limit: int, block: Callable[[MatchRecord], object]
) -> tuple[Counter[Pattern], int]:
    """Counted patterns of (a sample of) the pairs sharing a block, and their total."""
    pairs, total = sampled_pairs(exact_blocks(records, block), records, limit=limit, rng=rng)
    return Counter(_pattern(records[i], records[j]) for i, j in pairs), total


def _mean(left: dict[Agreement, float], right: dict[Agreement, float]) -> dict[Agreement, float]:
    return {a: (left[a] + right[a]) / 2 for a in left}
