"""One person, one creation (issue 12): the strict traits name the person."""

from __future__ import annotations

from fakes import make_traits
from identito.domain.same_person import (
    SamePersonExists,
    lock_number,
    same_strict_traits,
    strict_key,
)


def test_the_used_name_and_first_name_do_not_make_another_person() -> None:
    first, _ = make_traits()
    second, _ = make_traits(used_name="AUTRE", used_first_name="AUTRE")
    assert same_strict_traits(first, second)
    assert (strict_key(first), lock_number(first)) == (strict_key(second), lock_number(second))


def test_one_strict_trait_apart_is_another_person_with_another_lock() -> None:
    first, _ = make_traits()
    for change in ({"birth_date": "1986-03-14"}, {"sex": "F"}, {"birth_name": "AUTRE"}):
        other, _ = make_traits(**change)
        assert not same_strict_traits(first, other)
        assert lock_number(first) != lock_number(other)


def test_a_lock_number_fits_a_signed_64_bit_postgresql_advisory_key() -> None:
    traits, _ = make_traits()
    assert -(2**63) <= lock_number(traits) < 2**63


def test_the_refusal_names_the_existing_identity_and_a_stable_rule() -> None:
    from uuid import UUID

    error = SamePersonExists(UUID(int=7))
    assert (error.rule, error.existing) == ("same_person_exists", UUID(int=7))
    assert "créer quand même" in error.message
