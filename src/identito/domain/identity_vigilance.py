"""Identity-vigilance rules of the Identity aggregate: merge, unmerge, collision.

A part of ``Identity`` (``domain/identity.py``); import ``Identity`` from there.

A collision is two persons in one record: identity vigilance declares it
potential (COLP) or confirmed (COLV). Meanwhile the matricule INS is never
diffused (``domain.diffusion.withheld_reason``); resolving the collision clears it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from identito.domain.errors import InvalidTransition
from identito.domain.events import AuditAction
from identito.domain.identity_state import IdentityState
from identito.domain.status import CollisionLevel


class VigilanceRules(IdentityState):
    # -- merge (issue 7) -----------------------------------------------------------------

    def merge_into(self, survivor: IdentityState, *, merge_id: UUID, now: datetime) -> None:
        """This duplicate merges into ``survivor``: it becomes inactive (DESA), kept for history.

        The survivor keeps its traits. Refused when the two carry different
        matricules INS, or when only this one carries a matricule (choose it as the
        survivor instead).
        """
        self._check_merge(survivor)
        before = self.snapshot()
        self.active, self.merged_into, self.updated_at = False, survivor.id, now
        details = {
            "merge_id": str(merge_id),
            "survivor_id": str(survivor.id),
            "annotation": "DESA",
        }  # see merges.DEACTIVATED
        self._record(AuditAction.IDENTITY_MERGED, before=before, details=details)
        survivor._record(
            AuditAction.IDENTITY_MERGED,
            details={"merge_id": str(merge_id), "merged_id": str(self.id)},
        )

    def _check_merge(self, survivor: IdentityState) -> None:
        if survivor.id == self.id:
            raise InvalidTransition(
                "Une identité ne peut pas être fusionnée avec elle-même.", rule="merge_itself"
            )
        if not (self.active and survivor.active):
            raise InvalidTransition(
                "Fusion impossible : l'une des deux identités est déjà fusionnée (inactive).",
                rule="merge_inactive",
            )
        if self.ins is not None and survivor.ins is None:
            raise InvalidTransition(
                "Fusion refusée : seule l'identité à fusionner porte un matricule INS ; "
                "conservez-la plutôt.",
                rule="merge_survivor_without_ins",
            )
        if (
            self.ins is not None
            and survivor.ins is not None
            and self.ins.number != survivor.ins.number
        ):
            raise InvalidTransition(
                "Fusion refusée : les deux identités portent des matricules INS différents.",
                rule="merge_different_ins",
            )

    def unmerge(
        self, before: Mapping[str, Any], survivor: IdentityState, *, merge_id: UUID, now: datetime
    ) -> None:
        """Undo a merge: active again, exactly as ``before`` (the snapshot taken at the merge)."""
        if self.active or self.merged_into != survivor.id:
            raise InvalidTransition(
                "Cette identité n'est pas fusionnée dans l'identité indiquée.", rule="not_merged"
            )
        if self.snapshot() != dict(before):
            raise InvalidTransition(
                "Annulation impossible : l'identité fusionnée a changé depuis la fusion.",
                rule="merged_identity_changed",
            )
        self.active, self.merged_into, self.updated_at = True, None, now
        self._record(
            AuditAction.IDENTITY_UNMERGED,
            after=self.snapshot(),
            details={"merge_id": str(merge_id), "survivor_id": str(survivor.id)},
        )
        survivor._record(
            AuditAction.IDENTITY_UNMERGED,
            details={"merge_id": str(merge_id), "merged_id": str(self.id)},
        )

    # -- collision ---------------------------------------------------------------------------

    def declare_collision(
        self, level: CollisionLevel, *, now: datetime, note: str | None = None
    ) -> bool:
        """Two persons in this record: COLP (potential) or COLV (confirmed).

        A potential collision may be confirmed; declaring the current level again
        changes nothing (returns False). The matricule stops being diffused, so the
        change is propagated (a diffused INS disappears: HL7 A47).
        """
        self._ensure_active()
        if self.collision is level:
            return False
        if self.collision is CollisionLevel.CONFIRMED:
            raise InvalidTransition(
                "La collision est déjà avérée : résolvez-la avant d'en déclarer une autre.",
                rule="collision_already_confirmed",
            )
        before = self.snapshot()
        self.collision, self.updated_at = level, now
        self._record(
            AuditAction.COLLISION_DECLARED,
            before=before,
            after=self.snapshot(),
            reason=note,
            propagate=self.ins is not None,
            details={"collision": level.value},
        )
        return True

    def resolve_collision(self, *, now: datetime, note: str | None = None) -> None:
        """The collision is handled (records split or corrected): the INS may go again."""
        self._ensure_active()
        if self.collision is None:
            raise InvalidTransition(
                "Cette identité ne porte pas de collision à résoudre.", rule="no_collision"
            )
        before = self.snapshot()
        resolved, self.collision, self.updated_at = self.collision, None, now
        self._record(
            AuditAction.COLLISION_RESOLVED,
            before=before,
            after=self.snapshot(),
            reason=note,
            propagate=self.ins is not None,
            details={"collision": resolved.value},
        )
