"""One person, one creation (issue 12 point 3) against fakes: a second creation of the
same strict traits is refused naming the first, unless created anyway."""

from __future__ import annotations

import pytest

from fakes import FakeUnitOfWork, actor_with_role, fake_rules, identity_input
from identito.domain.permissions import Role
from identito.domain.same_person import SamePersonExists, lock_number
from identito.domain.trait_set import parse_traits
from identito.services.identities import create_identity

ACTOR = actor_with_role(Role.ADMISSION)


def test_a_second_creation_of_the_same_strict_traits_is_refused_naming_the_first() -> None:
    uow, rules = FakeUnitOfWork(), fake_rules()
    first = create_identity(identity_input(), uow=uow, actor=ACTOR, rules=rules)

    with pytest.raises(SamePersonExists) as refused:
        create_identity(identity_input(used_name="AUTRE"), uow=uow, actor=ACTOR, rules=rules)

    assert refused.value.existing == first.id
    assert list(uow.identities.committed) == [first.id]


def test_created_anyway_it_is_stored_and_the_pair_waits_for_review() -> None:
    uow, rules = FakeUnitOfWork(), fake_rules()
    first = create_identity(identity_input(), uow=uow, actor=ACTOR, rules=rules)

    second = create_identity(identity_input(), uow=uow, actor=ACTOR, rules=rules, anyway=True)

    assert set(uow.identities.committed) == {first.id, second.id}
    pairs = {frozenset((r.first_id, r.second_id)) for r in uow.duplicate_reviews.committed.values()}
    assert frozenset((first.id, second.id)) in pairs


def test_another_person_is_created_without_asking() -> None:
    uow, rules = FakeUnitOfWork(), fake_rules()
    create_identity(identity_input(), uow=uow, actor=ACTOR, rules=rules)
    other = create_identity(identity_input(sex="F"), uow=uow, actor=ACTOR, rules=rules)
    assert other.id in uow.identities.committed


def test_the_creation_locks_its_strict_traits_before_looking_for_the_person() -> None:
    uow, rules = FakeUnitOfWork(), fake_rules()
    create_identity(identity_input(), uow=uow, actor=ACTOR, rules=rules)
    traits, _ = parse_traits(identity_input(), today=rules.now().date(), places=rules.places)
    assert uow.identities.locked == [lock_number(traits)]
