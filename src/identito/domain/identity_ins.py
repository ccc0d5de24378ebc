"""The INS rules of the Identity aggregate: retrieval, correction, invalidation.

A part of ``Identity`` (``domain/identity.py``); import ``Identity`` from there.

Every path that gives the identity a matricule goes through ``_take_ins``, which
decides whether it is *confirmed* (``domain.ins_source``): an INSi answer or an
own-domain qualified reception confirm it when the traits allow it; a typed
matricule never does (R-ST-07) until an INSi verification OK
(``record_verification_ok``).
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
from identito.domain.ins_source import InsSource, check_insi_sex, confirmation_obstacles
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

    def ensure_insi_traits_call_allowed(self) -> None:
        """Before a call that sends the strict traits (by traits, verification):
        allowed by the attributes, and a sex INSi knows (M or F, R-TR-14)."""
        self.ensure_insi_call_allowed()
        check_insi_sex(self.traits.sex)

    def record_ins_retrieval(self, ins: Ins, *, now: datetime) -> None:
        """INSi returned this INS (code 00) and it is integrated (confirmed when the
        traits allow it, else held: ``domain.ins_source``)."""
        self.ensure_insi_call_allowed()
        before = self.snapshot()
        self._take_ins(ins, InsSource.INSI, now=now, reason="nouveau matricule renvoyé par INSi")
        self.ins_retrieved_at, self.updated_at = now, now
        self._record(
            AuditAction.INS_RETRIEVED,
            before=before,
            after=self.snapshot(),
            propagate=True,
            details=self._confirmation_details(),
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
        QUAL, unless the received traits forbid it (a ``00`` day or month, R-TR-11):
        the matricule is then held, not confirmed, and a note says why. Nothing
        changes when the answer is incomplete or the identity is doubtful or fictitious.
        """
        self.ensure_insi_call_allowed()
        traits, notes = received_traits(answer, self.traits)
        ins, key_warning = Ins.parse_received(
            answer.ins_number, answer.oid, allow_test_oids=allow_test_oids
        )
        before = self.snapshot()
        changed = self.traits.changed_fields(traits)
        warnings = trait_warnings(traits, place_warning)
        if key_warning:
            warnings += (IdentityWarning(WarningCode.INS_KEY, key_warning),)
            notes += (key_warning,)
        self.traits, self.warnings = traits, warnings
        self._take_ins(ins, InsSource.INSI, now=now, reason="nouveau matricule renvoyé par INSi")
        notes += self.ins_not_confirmed_because
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
                **self._confirmation_details(),
            },
        )
        return notes

    def change_ins(self, ins: Ins, *, may_change_protected: bool, now: datetime) -> None:
        """Type a matricule by hand (protected permission): held, never confirmed.

        Only INSi or an own-domain qualified reception make an identity RECUP or
        QUAL (R-ST-07): QUAL -> VALI, RECUP -> PROV, PROV and VALI stay (an identity
        without a matricule may receive one this way). The former matricule goes to
        the INS history; the collection method becomes ``SM`` dated now; the
        identity is "INS saisi, à vérifier" until an INSi verification.
        """
        self._ensure_active()
        if ins == self.ins:  # resending the current matricule changes nothing
            return
        if not may_change_protected:
            raise PermissionDenied(
                "identity:update-protected",
                "Le matricule INS ne peut être saisi ou modifié qu'avec l'habilitation dédiée.",
            )
        if self.blocks_ins:
            raise InvalidTransition(
                "Matricule INS impossible : l'identité est douteuse ou fictive.",
                rule="ins_blocked_by_attribute",
            )
        before = self.snapshot()
        self._take_ins(ins, InsSource.TYPED, now=now, reason="matricule corrigé (saisi)")
        self.ins_collection_method, self.insi_history = CollectionMethod.MANUAL, ()
        self.ins_retrieved_at = self.updated_at = now
        self._record(
            AuditAction.INS_CHANGED,
            before=before,
            after=self.snapshot(),
            propagate=True,
            details={"method": CollectionMethod.MANUAL.value, **self._confirmation_details()},
        )

    def record_verification_ok(
        self, *, called_at: datetime, now: datetime, details: Mapping[str, Any] | None = None
    ) -> bool:
        """INSi verified the held matricule with the current traits: return whether it
        changed anything.

        A matricule not confirmed yet (typed, or held while the traits forbade it)
        becomes INSi's: collection method ``INSI`` dated by this call, RECUP or QUAL
        when the traits allow it. A confirmed one only gets the verification date
        (recorded by the services).
        """
        self.ensure_insi_call_allowed()
        if self.ins is None or self.ins_confirmed:
            return False
        if not self.ins_to_verify and confirmation_obstacles(self.traits):
            return False  # still held for the same reasons
        before = self.snapshot()
        self._take_ins(self.ins, InsSource.INSI, now=now, reason="")
        self.ins_collection_method, self.insi_history = CollectionMethod.INSI, ()
        self.ins_retrieved_at, self.updated_at = called_at, now
        self._record(
            AuditAction.INS_CONFIRMED,
            before=before,
            after=self.snapshot(),
            propagate=True,
            details={
                **(details or {}),
                "method": CollectionMethod.INSI.value,
                "called_at": called_at.isoformat(),
                **self._confirmation_details(),
            },
        )
        return True

    def invalidate_ins(self, *, reason: str, now: datetime) -> None:
        """Remove the matricule and its OID: RECUP -> PROV, QUAL -> VALI (PROV and
        VALI stay when the matricule was held unconfirmed)."""
        self._ensure_active()
        if self.ins is None:
            raise InvalidTransition(
                "Cette identité ne porte pas de matricule INS.", rule="no_ins_to_remove"
            )
        before = self.snapshot()
        self._move(StatusAction.INVALIDATE_INS)
        self._archive_ins(reason, now)
        self._clear_ins()
        self.updated_at = now
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
        INS counts as confirmed and the document as checked by the sender
        (``validation.validated_by``). The status table decides: RETRIEVE_INS then
        CHECK_DOCUMENT, so PROV, RECUP and VALI all reach QUAL; when the traits forbid
        it (uncertain birth date, sex I) the matricule is held (HOLD_INS) and the
        identity is VALI. A document check made in identito is kept; a former
        matricule goes to the INS history.
        """
        self.ensure_insi_call_allowed()
        before = self.snapshot()
        same_insi = self.ins == ins and self.ins_source is InsSource.INSI
        if not same_insi:
            self.ins_collection_method, self.insi_history = None, ()
        source = InsSource.INSI if same_insi else InsSource.DOMAIN
        reason = "nouveau matricule reçu du domaine d'identification"
        self._take_ins(ins, source, now=now, reason=reason)
        self._move(StatusAction.CHECK_DOCUMENT)
        self.ins_retrieved_at, self.updated_at = now, now
        self.validation = self.validation or validation
        self._record(
            AuditAction.INS_RETRIEVED,
            before=before,
            after=self.snapshot(),
            propagate=True,
            details={
                "qualified_in_domain": True,
                "sender": validation.validated_by,
                **self._confirmation_details(),
            },
        )

    def take_domain_status(
        self, document_checked: bool, validation: Validation, *, now: datetime
    ) -> None:
        """An own-domain A47 (IHE PAM FR §4.4) says in PID-32 whether the sender still
        counts the document as checked (``VALI``) or not (``PROV``, as §4.4.4 sends on
        QUAL -> RECUP): R-MO-05, the status is taken from PID-32. After the INS part of
        the A47 was applied: ``VALI`` records the sender's check when none is held
        (PROV -> VALI, RECUP -> QUAL); ``PROV`` withdraws a held one (VALI -> PROV,
        QUAL -> RECUP). The matricule itself is never touched here.
        """
        self._ensure_active()
        if document_checked and self.validation is None:
            if self.blocks_ins:
                raise InvalidTransition(
                    "Validation impossible : l'identité est douteuse ou fictive.",
                    rule="validation_blocked_by_attribute",
                )
            before = self.snapshot()
            self._move(StatusAction.CHECK_DOCUMENT)
            self.validation, self.updated_at = validation, now
            self._record(
                AuditAction.IDENTITY_VALIDATED,
                before=before,
                after=self.snapshot(),
                propagate=True,
                details={"qualified_in_domain": True, "sender": validation.validated_by},
            )
        elif not document_checked and self.validation is not None:
            self._withdraw_document_check(f"PID-32 PROV reçu ({validation.validated_by})", now)

    def _recheck_confirmation(self, now: datetime) -> None:
        """A confirmed matricule whose traits forbid it now (uncertain birth date, sex
        I) stops being confirmed: RECUP -> PROV, QUAL -> VALI (before a validation)."""
        if not self.ins_confirmed or not confirmation_obstacles(self.traits):
            return
        before = self.snapshot()
        self._move(StatusAction.HOLD_INS)
        self.ins_confirmed, self.updated_at = False, now
        self._record(
            AuditAction.STATUS_CHANGED,
            before=before,
            after=self.snapshot(),
            reason=" ".join(self.ins_not_confirmed_because),
            propagate=True,
        )

    # -- internals ---------------------------------------------------------------------

    def _take_ins(self, ins: Ins, source: InsSource, *, now: datetime, reason: str) -> None:
        """Hold ``ins`` from ``source``: confirmed (RECUP/QUAL) only when the source
        confirms and the strict traits allow it, else held (PROV/VALI)."""
        confirmed = source.confirms and not confirmation_obstacles(self.traits)
        self._move(StatusAction.RETRIEVE_INS if confirmed else StatusAction.HOLD_INS)
        if self.ins is not None and self.ins != ins:
            # R-MO-05: a confirmed matricule replaced by another confirmed one is the same
            # person's former matricule; a typed one replaced is a correction, not history.
            same_person = bool(self.ins_source and self.ins_source.confirms) and source.confirms
            self._archive_ins(reason, now, replaced=same_person)
        self.ins, self.ins_source, self.ins_confirmed = ins, source, confirmed

    def _confirmation_details(self) -> dict[str, Any]:
        return {
            "ins_source": self.ins_source.value if self.ins_source else None,
            "confirmed": self.ins_confirmed,
            "not_confirmed_because": list(self.ins_not_confirmed_because),
        }
