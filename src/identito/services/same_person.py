"""One person, one creation, even at once (issue 12, ``domain.same_person``, ADR 0007).

Every use case that creates one identity from typed or received traits calls
``reserve_creation`` first, inside its unit of work: the creations of the same strict
traits wait for each other (``IdentityRepository.lock_creation``: a transaction-scoped
advisory lock on PostgreSQL, the write lock on SQLite; no in-process lock, so it holds
across several ``identito serve`` processes), then the active identity that already
has them, committed by whoever went first, is found.
"""

from __future__ import annotations

from uuid import UUID

from identito.domain.trait_set import Traits
from identito.services.unit_of_work import UnitOfWork


def reserve_creation(traits: Traits, *, uow: UnitOfWork) -> UUID | None:
    """Inside an open unit of work, held until its end: the active identity with the
    same strict traits, or None (one round trip: ``reserve_strict_traits``)."""
    return uow.identities.reserve_strict_traits(traits)
