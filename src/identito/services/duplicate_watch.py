"""Potential duplicates of one identity, recorded when it is created or its traits change.

Every use case that creates one identity or changes its traits (or its matricule)
calls ``watch_duplicates`` once, inside its unit of work and before the commit, so
the pairs reach the review worklist in the same transaction as the change:

* creation: ``identities.create_identity``, ``insi_creation.create_identity_from_insi``
  (through ``insi_integration.integrate``), the reception of a new identity
  (``reception``), a received identity integrated from the worklist
  (``vigilance.resolve_entry``, ``integrate_without_ins``);
* change: ``identities.update_identity``, an INSi answer integrated
  (``insi.recover_ins``, ``insi_decisions.accept_insi_call``, through ``integrate``),
  a received update or matricule change applied (``reception_updates``).

Not the bulk import (the batch scan covers it), nor the validation of a document
(traits and matricule unchanged: a status is not compared).
"""

from __future__ import annotations

from identito.domain.duplicate_reviews import Source
from identito.domain.identity import Identity
from identito.services.rules import Rules
from identito.services.unit_of_work import UnitOfWork


def watch_duplicates(identity: Identity, *, uow: UnitOfWork, rules: Rules, source: Source) -> None:
    """Inside an open unit of work: the identity's pairs above the review threshold (and
    the blocking ones) go to the duplicate worklist (``record_candidates``).

    Imported here: ``services.duplicate_reviews`` needs ``services.duplicates``, which
    needs ``services.identities`` (``note_reads``), which the INSi, reception and
    vigilance modules are imported by.
    """
    from identito.services.duplicate_reviews import record_candidates

    record_candidates(identity, uow=uow, rules=rules, source=source)
