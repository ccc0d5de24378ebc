"""The comparison view and the similarity score of local and INSi traits."""

from __future__ import annotations

import pytest

from fakes import make_traits
from identito.services.comparison import BELOW_IDENTICAL, FIELD_WEIGHTS, compare, normalised

LOCAL, _ = make_traits()


def test_the_weights_add_up_to_one():
    assert sum(weight for weight, _ in FIELD_WEIGHTS.values()) == pytest.approx(1.0)


def test_identical_traits_score_exactly_one_with_no_difference():
    comparison = compare(LOCAL, LOCAL)

    assert comparison.similarity == 1.0
    assert comparison.differences == () and comparison.identical


def test_hyphens_and_apostrophes_count_as_spaces_when_comparing():
    hyphen, _ = make_traits(
        first_birth_first_name="JEAN-CHRISTOPHE", birth_first_names=["JEAN-CHRISTOPHE", "PIERRE"]
    )
    space, _ = make_traits(
        first_birth_first_name="JEAN CHRISTOPHE", birth_first_names=["JEAN", "CHRISTOPHE PIERRE"]
    )

    assert compare(hyphen, space).similarity == 1.0
    assert normalised("D'ARC-EN  CIEL") == "D ARC EN CIEL"


def test_every_strict_trait_is_shown_side_by_side():
    insi, _ = make_traits(birth_name="DUPOND")

    comparison = compare(LOCAL, insi)

    assert [f.field for f in comparison.fields] == list(FIELD_WEIGHTS)
    assert comparison.side("local")["birth_name"] == "DUPONT"
    assert comparison.side("insi")["birth_name"] == "DUPOND"
    assert comparison.side("insi")["birth_first_names"] == "JEAN CHRISTOPHE PIERRE"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("birth_name", "DUPOND"),
        ("birth_first_names", ["JEAN", "CHRISTOPHE"]),
        ("first_birth_first_name", "JEAN CHRISTOPHE"),
        ("birth_date", "1980-03-13"),
        ("sex", "F"),
        ("birth_place_code", "2A004"),
    ],
)
def test_any_difference_is_flagged_and_keeps_the_score_below_one(field, value):
    insi, _ = make_traits(**{field: value})

    comparison = compare(LOCAL, insi)

    assert comparison.differences == (field,)
    assert 0.0 <= comparison.similarity <= BELOW_IDENTICAL


def test_a_close_name_scores_higher_than_a_different_one():
    close, _ = make_traits(birth_name="DUPOND")
    far, _ = make_traits(birth_name="MARTIN")

    assert compare(LOCAL, close).similarity > compare(LOCAL, far).similarity


def test_date_sex_and_place_match_exactly_or_not_at_all():
    insi, _ = make_traits(birth_date="1980-03-13")

    [date_field] = [f for f in compare(LOCAL, insi).fields if f.field == "birth_date"]

    assert date_field.score == 0.0


def test_a_comparison_survives_a_round_trip_through_json():
    insi, _ = make_traits(birth_name="DUPOND")
    comparison = compare(LOCAL, insi)

    assert type(comparison).from_dict(comparison.as_dict()) == comparison
