"""EM estimation of the duplicate model on 40,000 drawn agreement patterns (about 0.4 s:
out of tests/unit, which stays in milliseconds)."""

from __future__ import annotations

from collections import Counter
from random import Random

import pytest

from identito.domain.duplicate_model import (
    ESTIMATED,
    Agreement,
    ModelParameters,
    Trait,
    estimate_m,
)


def test_em_recovers_m_and_the_match_share_from_agreement_patterns() -> None:
    """Patterns drawn from a known model: EM, u held fixed, finds m and the share back."""
    rng = Random(7)
    truth = {
        Trait.NAME: {Agreement.EXACT: 0.8, Agreement.CLOSE: 0.15, Agreement.DIFFERENT: 0.05},
        Trait.FIRST_NAMES: {Agreement.EXACT: 0.85, Agreement.CLOSE: 0.1,
                            Agreement.DIFFERENT: 0.05},
        Trait.BIRTH_DATE: {Agreement.EXACT: 0.9, Agreement.CLOSE: 0.05, Agreement.DIFFERENT: 0.05},
        Trait.SEX: {Agreement.EXACT: 0.97, Agreement.DIFFERENT: 0.03},
        Trait.BIRTH_PLACE: {Agreement.EXACT: 0.8, Agreement.CLOSE: 0.1, Agreement.DIFFERENT: 0.1},
    }  # fmt: skip
    u = {
        Trait.NAME: {Agreement.EXACT: 0.01, Agreement.CLOSE: 0.02, Agreement.DIFFERENT: 0.97},
        Trait.FIRST_NAMES: {Agreement.EXACT: 0.03, Agreement.CLOSE: 0.02,
                            Agreement.DIFFERENT: 0.95},
        Trait.BIRTH_DATE: {Agreement.EXACT: 0.01, Agreement.CLOSE: 0.01, Agreement.DIFFERENT: 0.98},
        Trait.SEX: {Agreement.EXACT: 0.5, Agreement.DIFFERENT: 0.5},
        Trait.BIRTH_PLACE: {Agreement.EXACT: 0.05, Agreement.CLOSE: 0.05,
                            Agreement.DIFFERENT: 0.9},
    }  # fmt: skip

    def draw(table: dict[Trait, dict[Agreement, float]]) -> tuple[Agreement, ...]:
        return tuple(
            rng.choices(list(table[t]), weights=list(table[t].values()))[0] for t in ESTIMATED
        )

    counts = Counter(draw(truth) if rng.random() < 0.1 else draw(u) for _ in range(40_000))
    start = ModelParameters(
        {t: {a: (1 / len(u[t]), u[t][a]) for a in u[t]} for t in ESTIMATED}, prior=-10
    )
    fixed_u = {t: {a: (0.0, p) for a, p in u[t].items()} for t in ESTIMATED}
    m, share = estimate_m(counts, u=fixed_u, start=start, pseudo=0.0)  # plain EM
    assert share == pytest.approx(0.1, abs=0.01)
    for trait in ESTIMATED:
        for level, expected in truth[trait].items():
            assert m[trait][level] == pytest.approx(expected, abs=0.03), (trait, level)
