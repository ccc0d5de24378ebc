"""Numbers from the outside held within what the storage and the calendar can compute:
page numbers of the worklists, the look-back years of a verification campaign."""

from __future__ import annotations

import pytest

from fakes import FakeUnitOfWork, actor_with_role, fake_rules
from identito.domain.errors import InvalidInput
from identito.domain.permissions import Role
from identito.services.collisions import list_collisions
from identito.services.duplicate_decisions import list_reviews
from identito.services.paging import MAX_PAGE, bounded
from identito.services.verification_campaigns import MAX_YEARS, create_campaign

ADMIN = actor_with_role(Role.ADMIN)


def test_a_page_number_beyond_the_last_possible_page_is_held_to_it():
    assert bounded(10**30, 10**9) == (MAX_PAGE, 100)
    assert bounded(-5, 0) == (1, 1)


@pytest.mark.parametrize("listing", [list_collisions, list_reviews])
def test_a_huge_page_number_gives_an_empty_page_not_an_error(listing):
    found = listing(page=10**30, uow=FakeUnitOfWork(), actor=ADMIN, rules=fake_rules())
    assert (found.items, found.page) == ([], MAX_PAGE)


@pytest.mark.parametrize(
    ("field", "value"),
    [("years", MAX_YEARS + 1), ("years", 48_989), ("unit_rate", 1e9), ("frequency_days", 10**6)],
)
def test_a_campaign_number_outside_its_range_is_refused_naming_the_field(field, value):
    with pytest.raises(InvalidInput) as raised:
        create_campaign(
            name="Bornes",
            perimeter="stale",
            **{field: value},
            uow=FakeUnitOfWork(),
            actor=ADMIN,
            rules=fake_rules(),
        )
    assert [(e.field, e.rule) for e in raised.value.errors] == [(field, "out_of_range")]
