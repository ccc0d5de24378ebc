"""The order of the INSi calls by traits, given the answers of the previous calls."""

from __future__ import annotations

import pytest

from fakes import make_traits
from identito.domain.insi import InsiOutcome
from identito.domain.trait_set import RECEIVED_ENTRY
from identito.services.insi_strategy import planned_queries, traits_queries

#: DUPONT JEAN CHRISTOPHE PIERRE, first birth first name JEAN, born in 2B020.
TRAITS, _ = make_traits()


def sent(outcomes, traits=TRAITS):
    """(first names, birth place) of each query sent."""
    return [(q.first_names, q.birth_place_code) for q in planned_queries(traits, outcomes)]


def test_the_first_call_sends_the_first_birth_first_name_without_the_birth_place():
    first = next(traits_queries(TRAITS))

    assert first.first_names == ("JEAN",)
    assert first.birth_place_code is None
    assert (first.birth_name, first.sex, first.birth_date) == ("DUPONT", "M", "1980-03-12")


def test_the_strategy_stops_at_the_first_call_that_finds_the_identity():
    assert sent(["00"]) == [(("JEAN",), None)]


def test_on_not_found_each_other_first_name_alone_then_the_whole_list_is_tried():
    assert sent(["01"] * 4) == [
        (("JEAN",), None),
        (("CHRISTOPHE",), None),
        (("PIERRE",), None),
        (("JEAN CHRISTOPHE PIERRE",), None),
    ]


def test_on_not_found_the_search_stops_when_a_first_name_finds_the_identity():
    assert sent(["01", "00"]) == [(("JEAN",), None), (("CHRISTOPHE",), None)]


def test_on_several_found_the_whole_list_is_sent_then_the_birth_place():
    assert sent(["02", "02", "02"]) == [
        (("JEAN",), None),
        (("JEAN CHRISTOPHE PIERRE",), None),
        (("JEAN CHRISTOPHE PIERRE",), "2B020"),
    ]


def test_when_the_whole_list_finds_none_the_birth_place_narrows_the_first_query():
    assert sent(["02", "01", "02"]) == [
        (("JEAN",), None),
        (("JEAN CHRISTOPHE PIERRE",), None),
        (("JEAN",), "2B020"),
    ]


def test_a_single_first_name_with_several_found_goes_straight_to_the_birth_place():
    traits, _ = make_traits(birth_first_names=["JEAN"])

    assert sent(["02", "02"], traits) == [(("JEAN",), None), (("JEAN",), "2B020")]


def test_a_single_first_name_not_found_is_called_once():
    traits, _ = make_traits(birth_first_names=["JEAN"])

    assert sent(["01", "01"], traits) == [(("JEAN",), None)]


def test_several_found_while_trying_first_names_narrows_from_that_query():
    assert sent(["01", "02", "02", "02"]) == [
        (("JEAN",), None),
        (("CHRISTOPHE",), None),
        (("JEAN CHRISTOPHE PIERRE",), None),
        (("JEAN CHRISTOPHE PIERRE",), "2B020"),
    ]


def test_the_unknown_birth_place_99999_is_never_sent():
    traits, _ = make_traits(birth_place_code="99999", birth_first_names=["JEAN"])

    assert sent(["02", "02"], traits) == [(("JEAN",), None)]


def test_an_empty_list_of_birth_first_names_uses_the_first_birth_first_name():
    traits, _ = make_traits(birth_first_names=[], entry=RECEIVED_ENTRY)  # stored before the rule

    assert sent(["01", "01"], traits) == [(("JEAN",), None)]


@pytest.mark.parametrize("outcomes", [["01"] * 10, ["02"] * 10, ["01", "02"] * 5])
def test_no_query_is_ever_sent_twice(outcomes):
    queries = planned_queries(TRAITS, outcomes)

    assert len(queries) == len(set(queries))


def test_the_generator_takes_the_outcome_of_each_call():
    strategy = traits_queries(TRAITS)
    next(strategy)

    second = strategy.send(InsiOutcome.SEVERAL_FOUND)

    assert second.first_names == ("JEAN CHRISTOPHE PIERRE",)
