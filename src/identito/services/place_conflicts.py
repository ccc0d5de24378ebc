"""An INSi birth place the local geography refuses: kept, and shown to identity vigilance.

INSi's traits are kept as received (IHE PAM FR §6.6.2; ``domain.insi``): a birth
place code that the shipped INSEE reference refuses at the birth date (a code the
local data does not know yet, a whole commune with arrondissements, 99100) is
never refused. The identity carries a warning, and a ``place_conflict`` entry goes
to the identity-vigilance worklist (once per identity while open) so that someone
checks the local reference or the national base. Later changes of the identity are
not refused for it (``trait_set.parse_changed_traits``).
"""

from __future__ import annotations

from datetime import datetime

from identito.domain.identity import Identity
from identito.services.unit_of_work import UnitOfWork
from identito.services.vigilance_records import EntryKind, VigilanceEntry


def queue_place_conflict(
    identity: Identity, message: str, *, uow: UnitOfWork, now: datetime
) -> bool:
    """Inside an open unit of work: list the identity for identity vigilance (once)."""
    if uow.vigilance.open_for(EntryKind.PLACE_CONFLICT, identity.id) is not None:
        return False
    traits = identity.traits
    summary = {
        "birth_name": traits.birth_name,
        "first_birth_first_name": traits.first_birth_first_name,
        "birth_date": traits.birth_date.raw,
        "sex": traits.sex.value,
        "birth_place_code": traits.birth_place_code,
        "status": identity.status.value,
        "reason": message,
    }
    entry = VigilanceEntry(EntryKind.PLACE_CONFLICT, now, summary, identity_id=identity.id)
    uow.vigilance.add(entry)
    return True
