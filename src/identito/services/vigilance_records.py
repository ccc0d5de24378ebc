"""Records of the identity-vigilance worklists and the port that stores them.

An entry (``VigilanceEntry``) waits in a worklist (verification KO, received
identities to handle, NIA to re-check, typed matricules to verify) until a user, or
the automatic verification, takes one of the decisions its kind allows (``DECISIONS``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol
from uuid import UUID

from identito.domain.ids import new_id


class EntryKind(StrEnum):
    VERIFICATION_KO = "verification_ko"
    RECEPTION = "reception"  # a received identity awaiting a decision ("à traiter")
    NIA_RECHECK = "nia_recheck"
    INS_TO_VERIFY = "ins_to_verify"  # a typed matricule waiting for its INSi verification
    #: INSi's birth place is refused by the local geography at the birth date (kept as received)
    PLACE_CONFLICT = "place_conflict"

    @property
    def label(self) -> str:
        return ENTRY_LABELS[self]


#: Worklists about the identity's own matricule: the entries of a merged (inactive)
#: identity are left out of the lists and counts until an unmerge (nothing may change
#: on it; its survivor is verified on its own). A received message to handle stays
#: listed: it is about a message, which may have to be applied to the survivor.
IDENTITY_WORK = frozenset(
    {
        EntryKind.VERIFICATION_KO,
        EntryKind.NIA_RECHECK,
        EntryKind.INS_TO_VERIFY,
        EntryKind.PLACE_CONFLICT,
    }
)
#: Entries the background verification works through, and a verification closes.
TO_VERIFY = (EntryKind.NIA_RECHECK, EntryKind.INS_TO_VERIFY)

ENTRY_LABELS = {
    EntryKind.VERIFICATION_KO: "Vérification INSi KO",
    EntryKind.RECEPTION: "Identités reçues à traiter",
    EntryKind.NIA_RECHECK: "NIA à revérifier",
    EntryKind.INS_TO_VERIFY: "INS saisis, à vérifier",
    EntryKind.PLACE_CONFLICT: "Lieu de naissance INSi inconnu du référentiel local",
}


class EntryDecision(StrEnum):
    CORRECTED = "corrected"  # the identity was checked and corrected
    NO_ACTION = "no_action"  # nothing to do (traced)
    INTEGRATE_WITHOUT_INS = "integrate_without_ins"  # received identity created without INS
    REJECT = "reject"  # received identity not integrated
    VERIFY_NOW = "verify_now"  # NIA: verify at once
    VERIFIED = "verified"  # closed by the automatic verification

    @property
    def label(self) -> str:
        return DECISION_LABELS[self]


DECISION_LABELS = {
    EntryDecision.CORRECTED: "Identité contrôlée et corrigée",
    EntryDecision.NO_ACTION: "Sans suite",
    EntryDecision.INTEGRATE_WITHOUT_INS: "Intégrer sans le matricule INS",
    EntryDecision.REJECT: "Ne pas intégrer",
    EntryDecision.VERIFY_NOW: "Vérifier l'INS maintenant",
    EntryDecision.VERIFIED: "Vérifiée automatiquement",
}

#: Decisions a user may take on each kind of entry.
DECISIONS = {
    EntryKind.VERIFICATION_KO: (EntryDecision.CORRECTED, EntryDecision.NO_ACTION),
    EntryKind.RECEPTION: (EntryDecision.INTEGRATE_WITHOUT_INS, EntryDecision.REJECT),
    EntryKind.NIA_RECHECK: (EntryDecision.VERIFY_NOW, EntryDecision.NO_ACTION),
    EntryKind.INS_TO_VERIFY: (EntryDecision.VERIFY_NOW, EntryDecision.NO_ACTION),
    EntryKind.PLACE_CONFLICT: (EntryDecision.CORRECTED, EntryDecision.NO_ACTION),
}


@dataclass(frozen=True)
class VigilanceEntry:
    """One line of an identity-vigilance worklist."""

    kind: EntryKind
    created_at: datetime
    summary: dict[str, Any]  # what the list shows (never a refused matricule)
    identity_id: UUID | None = None
    message_id: UUID | None = None
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    decision: EntryDecision | None = None
    comment: str | None = None
    id: UUID = field(default_factory=new_id)

    @property
    def open(self) -> bool:
        return self.resolved_at is None


class VigilanceRepository(Protocol):
    def add(self, entry: VigilanceEntry) -> None: ...

    def get(self, entry_id: UUID) -> VigilanceEntry:
        """Raise ``NotFound`` when unknown."""
        ...

    def open_for(self, kind: EntryKind, identity_id: UUID) -> VigilanceEntry | None: ...

    def entries(
        self, kind: EntryKind | None = None, *, open_only: bool = True, limit: int = 200
    ) -> list[VigilanceEntry]:
        """Oldest first."""
        ...

    def resolve(self, entry: VigilanceEntry) -> None:
        """Save the decision fields of an entry."""
        ...

    def count_open(self) -> dict[str, int]: ...
