"""The "INS saisis, à vérifier" worklist once the matricule is no longer typed.

A typed matricule is queued for an INSi verification (``vigilance.queue_ins_verification``)
and a verification closes the entry (``verification.close_to_verify``). Any other way
the identity stops holding a typed matricule closes it too, in the transaction of that
change: an INSi recovery (or a creation from INSi) that confirms it or gives another
matricule, a qualified reception of the own identification domain.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from identito.domain.identity import Identity
from identito.domain.ins_source import InsSource
from identito.services.unit_of_work import UnitOfWork
from identito.services.verification_records import EntryDecision, EntryKind

SETTLED_BY = {
    InsSource.INSI: "Matricule désormais issu d'INSi : plus de matricule saisi à vérifier.",
    InsSource.DOMAIN: "Matricule reçu qualifié du domaine d'identification : plus de matricule "
    "saisi à vérifier.",
}


def close_settled_typed_entry(
    identity: Identity, *, uow: UnitOfWork, by: str, now: datetime
) -> bool:
    """Inside an open unit of work: close the identity's open "INS saisis, à vérifier"
    entry when its matricule now comes from INSi or the own domain; return whether
    one was closed."""
    source = identity.ins_source
    if source is None or source not in SETTLED_BY:
        return False
    entry = uow.vigilance.open_for(EntryKind.INS_TO_VERIFY, identity.id)
    if entry is None:
        return False
    comment = SETTLED_BY[source]
    if not identity.ins_confirmed:
        comment += " " + " ".join(identity.ins_not_confirmed_because)
    uow.vigilance.resolve(
        replace(
            entry, resolved_at=now, resolved_by=by, decision=EntryDecision.VERIFIED, comment=comment
        )
    )
    return True
