"""The duplicate model's pure parts: parameters, probabilities, date swap, départements."""

from __future__ import annotations

import doctest
import math
from datetime import date

import pytest

from fakes import INS_A, INS_B, make_identity
from identito.domain import duplicates
from identito.domain.duplicates import (
    PARAMETERS,
    Agreement,
    Trait,
    departement,
    probability,
    score_pair,
    swapped_birth_date,
    weight,
)
from identito.domain.status import IdentityStatus


def _exact_only(left: str, right: str) -> float:
    return 1.0 if left == right else 0.0


def test_the_module_examples_hold() -> None:
    assert doctest.testmod(duplicates).failed == 0


def test_every_parameter_is_a_pair_of_probabilities_and_agreement_weighs_for_a_match() -> None:
    for trait, levels in PARAMETERS.items():
        for m, u in levels.values():
            assert 0 < m < 1 and 0 < u < 1, trait
        if Agreement.EXACT in levels:
            assert weight(trait, Agreement.EXACT) > 0 > weight(trait, Agreement.DIFFERENT)


def test_a_missing_trait_weighs_nothing() -> None:
    assert all(weight(trait, Agreement.MISSING) == 0.0 for trait in Trait)


def test_the_probability_grows_with_the_weights_and_stays_between_0_and_1() -> None:
    values = [probability([w]) for w in (-40.0, 0.0, 14.0, 40.0)]
    assert values == sorted(values)
    assert values[0] >= 0.0 and values[-1] <= 1.0
    assert math.isclose(probability([14.0]), 0.5)


@pytest.mark.parametrize(
    ("born", "swapped"),
    [
        (date(1980, 3, 12), date(1980, 12, 3)),
        (date(1980, 3, 13), None),  # no 13th month
        (date(1980, 5, 5), None),  # the same date
    ],
)
def test_day_and_month_swap_only_when_it_gives_another_date(
    born: date, swapped: date | None
) -> None:
    assert swapped_birth_date(born) == swapped


@pytest.mark.parametrize(
    ("code", "expected"),
    [("75056", "75"), ("2B033", "2B"), ("97105", "971"), ("98735", "987"), ("99350", None)],
)
def test_the_departement_of_a_birth_place_code(code: str, expected: str | None) -> None:
    assert departement(code) == expected


def test_the_same_active_ins_is_a_blocking_duplicate_whatever_the_traits() -> None:
    local = make_identity(IdentityStatus.RETRIEVED, ins=INS_A)
    other = make_identity(
        IdentityStatus.RETRIEVED, ins=INS_A, birth_name="MARTIN", birth_date="1990-01-01"
    )
    pair = score_pair(local, other, similarity=_exact_only)
    assert (pair.score, pair.blocking) == (1.0, True)
    assert pair.explanation[-1].agreement is Agreement.EXACT


def test_different_active_ins_weigh_against_a_duplicate() -> None:
    local = make_identity(IdentityStatus.RETRIEVED, ins=INS_A)
    other = make_identity(IdentityStatus.RETRIEVED, ins=INS_B)
    pair = score_pair(local, other, similarity=_exact_only)
    same = score_pair(local, make_identity(), similarity=_exact_only)
    assert not pair.blocking
    assert pair.explanation[-1].agreement is Agreement.DIFFERENT
    assert pair.score < same.score


def test_only_a_blocking_pair_scores_1() -> None:
    pair = score_pair(make_identity(), make_identity(), similarity=_exact_only)
    assert not pair.blocking
    assert 0.99 < pair.score < 1.0


def test_the_same_birth_name_with_another_used_name_is_exact_and_says_why() -> None:
    local = make_identity(used_name="MARTIN")
    pair = score_pair(local, make_identity(used_name=None), similarity=_exact_only)
    same = score_pair(local, make_identity(used_name="MARTIN"), similarity=_exact_only)

    name = pair.explanation[0]
    assert (name.trait, name.agreement) == (Trait.NAME, Agreement.EXACT)
    assert name.local != name.other and name.note == duplicates.USED_NAME_NOTE
    assert same.explanation[0].note is None
    assert pair.score == same.score  # a note only: the weight is the birth name's
