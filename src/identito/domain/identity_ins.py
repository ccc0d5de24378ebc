"""The INS rules of the Identity aggregate: retrieval, correction, invalidation.

A part of ``Identity`` (``domain/identity.py``); import ``Identity`` from there.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from identito.domain.documents import Validation
from identito.domain.errors import InvalidTransition, PermissionDenied
from identito.domain.events import AuditAction
from identito.domain.identifiers import Ins
from identito.domain.identity_state import IdentityState
from identito.domain.insi import CollectionMethod, InsiAnswer, received_traits
from identito.domain.status import StatusAction
from identito.domain.trait_set import IdentityWarning, WarningCode, trait_warnings


class InsRules(IdentityState):
    def ensure_insi_call_allowed(self) -> None:
        self._ensure_active()
        if self.blocks_ins:
            raise InvalidTransition(
                "Appel INSi impossible : l'identité est douteuse ou fictive.",
                rule="insi_call_blocked_by_attribute",
            )

    def record_ins_retrieval(self, ins: Ins, *, now: datetime) -> None:
        """INSi returned this INS (code 00) and it is integrated."""
        self.ensure_insi_call_allowed()
        before = self.snapshot()
        self._move(StatusAction.RETRIEVE_INS)
        if self.ins is not None and self.ins != ins:
            self._archive_ins("nouveau matricule renvoyé par INSi", now)
        self.ins, self.ins_retrieved_at, self.updated_at = ins, now, now
        self._record(
            AuditAction.INS_RETRIEVED, before=before, after=self.snapshot(), propagate=True
        )

    def integrate_insi(
        self,
        answer: InsiAnswer,
        *,
        called_at: datetime,
        now: datetime,
        allow_test_oids: bool,
        place_warning: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> tuple[str, ...]:
        """Take in a complete INSi ``00`` answer; return notes for the user.

        The strict traits become the received ones (``domain.insi.received_traits``),
        the matricule is stored with its OID and its INSHISTO as received, the
        collection method becomes ``INSI`` dated by the call: PROV -> RECUP, VALI ->
        QUAL. Nothing changes when the answer is incomplete or the identity is
        doubtful or fictitious.
        """
        self.ensure_insi_call_allowed()
        traits, notes = received_traits(answer, self.traits)
        ins, key_warning = Ins.parse_received(
            answer.ins_number, answer.oid, allow_test_oids=allow_test_oids
        )
        before = self.snapshot()
        self._move(StatusAction.RETRIEVE_INS)
        if self.ins is not None and self.ins != ins:
            self._archive_ins("nouveau matricule renvoyé par INSi", now)
        changed = self.traits.changed_fields(traits)
        warnings = trait_warnings(traits, place_warning)
        if key_warning:
            warnings += (IdentityWarning(WarningCode.INS_KEY, key_warning),)
            notes += (key_warning,)
        self.traits, self.warnings, self.ins = traits, warnings, ins
        self.ins_retrieved_at, self.updated_at = called_at, now
        self.ins_collection_method, self.insi_history = CollectionMethod.INSI, answer.history
        self._record(
            AuditAction.INS_RETRIEVED,
            before=before,
            after=self.snapshot(),
            propagate=True,
            details={
                **(details or {}),
                "method": CollectionMethod.INSI.value,
                "called_at": called_at.isoformat(),
                "fields": list(changed),
                "insi_history": [vars(h) for h in answer.history],
                "notes": list(notes),
            },
        )
        return notes

    def change_ins(self, ins: Ins, *, may_change_protected: bool, now: datetime) -> None:
        """Correct the matricule of a RECUP or QUAL identity (protected permission)."""
        self._ensure_active()
        if self.ins is None:
            raise InvalidTransition(
                "Le matricule INS ne s'obtient que par le téléservice INSi : "
                "cette identité n'en porte pas.",
                rule="ins_only_from_insi",
            )
        if ins == self.ins:  # resending the current matricule changes nothing
            return
        if not may_change_protected:
            raise PermissionDenied(
                "identity:update-protected",
                "Le matricule INS ne peut être modifié qu'avec l'habilitation dédiée.",
            )
        before = self.snapshot()
        self._archive_ins("matricule corrigé", now)
        self.ins, self.updated_at = ins, now
        self._record(AuditAction.INS_CHANGED, before=before, after=self.snapshot(), propagate=True)

    def invalidate_ins(self, *, reason: str, now: datetime) -> None:
        """Remove the matricule and its OID: RECUP -> PROV, QUAL -> VALI."""
        self._ensure_active()
        before = self.snapshot()
        self._move(StatusAction.INVALIDATE_INS)
        self._archive_ins(reason, now)
        self.ins, self.ins_retrieved_at, self.updated_at = None, None, now
        self.ins_collection_method, self.insi_history = None, ()
        self._record(
            AuditAction.INS_INVALIDATED,
            before=before,
            after=self.snapshot(),
            reason=reason,
            propagate=True,
        )

    def qualify_in_domain(self, ins: Ins, validation: Validation, *, now: datetime) -> None:
        """A sender of identito's own identification domain qualified this identity.

        The qualified status is transitive inside a domain (IHE PAM FR R-ST-09:
        PID-32 ``VALI`` with a matricule means qualified on the sender's side): the
        INS counts as retrieved and the document as checked by the sender
        (``validation.validated_by``). The status table decides: RETRIEVE_INS then
        CHECK_DOCUMENT, so PROV, RECUP and VALI all reach QUAL. A document check made
        in identito is kept; a former matricule goes to the INS history.
        """
        self.ensure_insi_call_allowed()
        before = self.snapshot()
        self._move(StatusAction.RETRIEVE_INS)
        self._move(StatusAction.CHECK_DOCUMENT)
        if self.ins is not None and self.ins != ins:
            self._archive_ins("nouveau matricule reçu du domaine d'identification", now)
        if self.ins != ins:
            self.ins_collection_method, self.insi_history = None, ()
        self.ins, self.ins_retrieved_at, self.updated_at = ins, now, now
        self.validation = self.validation or validation
        self._record(
            AuditAction.INS_RETRIEVED,
            before=before,
            after=self.snapshot(),
            propagate=True,
            details={"qualified_in_domain": True, "sender": validation.validated_by},
        )
