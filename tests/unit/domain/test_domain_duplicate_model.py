"""The duplicate model: phonetic key, default parameters, term frequencies, EM."""

from __future__ import annotations

import doctest
import math
from collections import Counter
from random import Random

import pytest

from fakes import make_identity
from identito.domain import duplicate_model, phonetic
from identito.domain.duplicate_model import (
    DEFAULT,
    ESTIMATED,
    Agreement,
    ModelParameters,
    TermFrequencies,
    Trait,
    estimate_m,
)
from identito.domain.duplicates import record_of, score_records
from identito.domain.phonetic import phonetic_key


def _exact_only(left: str, right: str) -> float:
    return 1.0 if left == right else 0.0


def test_the_module_examples_hold() -> None:
    assert doctest.testmod(phonetic).failed == 0
    assert doctest.testmod(duplicate_model).failed == 0


@pytest.mark.parametrize(
    ("left", "right"),
    [("SCHMIDT", "CHMIDT"), ("CATHERINE", "KATHERINE"), ("PHILIPPE", "FILIPPE"),
     ("THOMAS", "TOMAS"), ("GAUTHIER", "GOTIER"), ("RENAUD", "RENAU"), ("LEFEBVRE", "LEFEBVRES"),
     ("GUERIN", "GUERRIN"), ("MICHEL", "MICHELLE"), ("DUBOIS", "DUBOI")],
)  # fmt: skip
def test_spellings_that_sound_alike_share_a_phonetic_key(left: str, right: str) -> None:
    assert phonetic_key(left) == phonetic_key(right)


@pytest.mark.parametrize(
    ("left", "right"),
    [("MARTIN", "MARTINEZ"), ("BERNARD", "BERTRAND"), ("DUPONT", "DUPUIS"), ("PETIT", "PETITJEAN")],
)
def test_different_names_keep_different_phonetic_keys(left: str, right: str) -> None:
    assert phonetic_key(left) != phonetic_key(right)


def test_default_levels_are_distributions_and_agreement_weighs_for_a_match() -> None:
    for trait, levels in DEFAULT.levels.items():
        if trait is Trait.INS:
            continue
        assert math.isclose(sum(m for m, _ in levels.values()), 1.0), trait
        assert math.isclose(sum(u for _, u in levels.values()), 1.0), trait
        assert (
            DEFAULT.weight(trait, Agreement.EXACT) > 0 > DEFAULT.weight(trait, Agreement.DIFFERENT)
        )


def test_parameters_survive_their_json_form() -> None:
    assert ModelParameters.from_json(DEFAULT.to_json()) == DEFAULT


def test_an_exact_common_name_weighs_less_than_an_exact_rare_name() -> None:
    frequencies = TermFrequencies({Trait.NAME: {"MARTIN": 0.005, "ZORN": 0.00002}},
                                  {Trait.NAME: 0.0004})  # fmt: skip

    def name_weight(name: str) -> float:
        a, b = make_identity(birth_name=name), make_identity(birth_name=name)
        pair = score_records(record_of(a), record_of(b), similarity=_exact_only,
                             frequencies=frequencies)  # fmt: skip
        return next(line.weight for line in pair.explanation if line.trait is Trait.NAME)

    assert name_weight("MARTIN") < DEFAULT.weight(Trait.NAME, Agreement.EXACT) < name_weight("ZORN")


def test_an_unlisted_value_weighs_as_a_value_seen_once() -> None:
    frequencies = TermFrequencies(
        {Trait.NAME: {"MARTIN": 0.01}}, {Trait.NAME: 0.001}, {Trait.NAME: 0.0001}
    )
    assert frequencies.adjustment(Trait.NAME, "QUASIMODO") == pytest.approx(math.log2(10))


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
    m, share = estimate_m(counts, u=fixed_u, start=start)
    assert share == pytest.approx(0.1, abs=0.01)
    for trait in ESTIMATED:
        for level, expected in truth[trait].items():
            assert m[trait][level] == pytest.approx(expected, abs=0.03), (trait, level)


def test_a_common_birth_country_weighs_less_than_a_commune() -> None:
    frequencies = TermFrequencies(
        {Trait.BIRTH_PLACE: {"99350": 0.02, "2B020": 0.0001}}, {Trait.BIRTH_PLACE: 0.001}
    )

    def place_weight(code: str) -> float:
        a, b = make_identity(birth_place_code=code), make_identity(birth_place_code=code)
        pair = score_records(record_of(a), record_of(b), similarity=_exact_only,
                             frequencies=frequencies)  # fmt: skip
        return next(line.weight for line in pair.explanation if line.trait is Trait.BIRTH_PLACE)

    assert place_weight("99350") < place_weight("2B020")
