"""One person, one creation, even at once (issue 12, ``domain.same_person``, ADR 0007).

Every use case that creates one identity from typed or received traits calls
``reserve_creation`` first, inside its unit of work: the creations of the same strict
traits wait for each other (``IdentityRepository.lock_creation``: a transaction-scoped
advisory lock on PostgreSQL, the write lock on SQLite; no in-process lock, so it holds
across several ``identito serve`` processes), then the active identity that already
has them, committed by whoever went first, is found.
"""

from __future__ import annotations

from identito.domain.identity import Identity
from identito.domain.same_person import lock_number, same_strict_traits
from identito.domain.trait_set import Traits
from identito.domain.traits import search_key
from identito.services.unit_of_work import SearchCriteria, UnitOfWork

#: Active identities born the same day, of the same sex and name key, looked at.
LOOKED_AT = 50


def reserve_creation(traits: Traits, *, uow: UnitOfWork) -> Identity | None:
    """Inside an open unit of work, held until its end: the active identity with the
    same strict traits, or None."""
    uow.identities.lock_creation(lock_number(traits))
    criteria = SearchCriteria(
        birth_date=traits.birth_date.value,
        name_key=search_key(traits.birth_name),
        sex=traits.sex,
        limit=LOOKED_AT,
    )
    found = uow.identities.search(criteria)
    return next((i for i in found if same_strict_traits(i.traits, traits)), None)
