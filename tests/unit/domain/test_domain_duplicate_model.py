"""The duplicate model: phonetic key, default parameters, term frequencies, EM."""

from __future__ import annotations

import doctest
import math
from collections import Counter

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
    estimate_m_twins,
)
from identito.domain.duplicates import TWIN_NOTE, record_of, score_records
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


_E, _C, _D = Agreement.EXACT, Agreement.CLOSE, Agreement.DIFFERENT


def _default_u() -> dict[Trait, dict[Agreement, tuple[float, float]]]:
    return {t: {a: (0.0, mu[1]) for a, mu in DEFAULT.levels[t].items()} for t in ESTIMATED}


def test_the_prior_keeps_m_near_the_defaults_with_little_evidence() -> None:
    # a handful of same-date pairs, all agreeing but for a different first name
    counts = Counter({(_E, _D, _E, _E, _E): 5, (_D, _D, _E, _E, _D): 50})
    m, _ = estimate_m(counts, u=_default_u(), start=DEFAULT, fixed=(Trait.BIRTH_DATE,))
    plain, _ = estimate_m(
        counts, u=_default_u(), start=DEFAULT, fixed=(Trait.BIRTH_DATE,), pseudo=0.0
    )
    default = DEFAULT.levels[Trait.FIRST_NAMES][_D][0]
    assert m[Trait.FIRST_NAMES][_D] == pytest.approx(default, abs=0.02)
    assert m[Trait.NAME][_E] == pytest.approx(DEFAULT.levels[Trait.NAME][_E][0], abs=0.02)
    assert plain[Trait.FIRST_NAMES][_D] > 0.5  # plain EM follows five pairs


def test_much_evidence_outweighs_the_prior() -> None:
    counts = Counter({(_C, _E, _E, _E, _E): 50_000, (_D, _D, _E, _E, _D): 500_000})
    m, _ = estimate_m(counts, u=_default_u(), start=DEFAULT, fixed=(Trait.BIRTH_DATE,))
    assert m[Trait.NAME][_C] > 0.95


def test_em_with_a_twin_class_keeps_twins_out_of_the_matches() -> None:
    """Same-date pairs: duplicates, twins (same name, another first name), others."""
    counts = Counter(
        {(_E, _E, _E, _E, _E): 1800, (_E, _C, _E, _E, _E): 200,  # duplicates
         (_E, _D, _E, _E, _E): 400,  # twins
         (_D, _D, _E, _E, _D): 200_000, (_D, _D, _E, _D, _D): 200_000,
         (_D, _E, _E, _E, _D): 8_000, (_E, _D, _E, _D, _D): 4_000}
    )  # fmt: skip
    plain, _ = estimate_m(counts, u=_default_u(), start=DEFAULT, fixed=(Trait.BIRTH_DATE,))
    m, share, twins = estimate_m_twins(counts, u=_default_u(), start=DEFAULT)
    assert plain[Trait.FIRST_NAMES][_D] > 0.1  # twins taken for duplicates
    assert m[Trait.FIRST_NAMES][_D] < 0.03  # the prior (0.02) stands
    # of the 400, about 100 are chance (two persons: u) and 40 duplicates (the prior's m)
    assert 200 < twins * sum(counts.values()) < 330
    assert share * sum(counts.values()) == pytest.approx(2000, rel=0.1)


def test_twins_score_well_below_the_threshold() -> None:
    frequencies = TermFrequencies({Trait.NAME: {"ZORN": 1e-6}}, {Trait.NAME: 1e-3})
    kwargs = {"birth_name": "ZORN", "birth_date": "2001-05-04", "birth_place_code": "67482"}
    a = make_identity(first_birth_first_name="PAUL", birth_first_names=["PAUL"], **kwargs)
    b = make_identity(first_birth_first_name="LUC", birth_first_names=["LUC"], **kwargs)
    for model in (DEFAULT, ModelParameters(DEFAULT.levels, DEFAULT.prior, twins=0.0)):
        pair = score_records(record_of(a), record_of(b), similarity=_exact_only,
                             model=model, frequencies=frequencies)  # fmt: skip
        if model.twins:
            assert pair.score < 0.25
            line = next(x for x in pair.explanation if x.trait is Trait.FIRST_NAMES)
            assert line.note == TWIN_NOTE
        else:  # without the twin class, a rare name and a shared day outweigh the first name
            assert pair.score > 0.5


def test_the_twin_ratio_is_stored_with_the_parameters() -> None:
    model = ModelParameters(DEFAULT.levels, -20.0, estimated=True, twins=0.1)
    assert ModelParameters.from_json(model.to_json()).twins == 0.1
    stored_before = {k: v for k, v in model.to_json().items() if k != "twins"}
    assert ModelParameters.from_json(stored_before).twins == DEFAULT.twins
