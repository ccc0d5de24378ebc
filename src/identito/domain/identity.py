"""The Identity aggregate: every INS rule on one identity is a method of ``Identity``.

Methods check the rules, move the status through ``status.TRANSITIONS`` and
record past-tense events; the unit of work turns events into audit rows. The
aggregate is split by theme, each module under 300 lines: its state and shared
helpers (``identity_state.py``), the INS (``identity_ins.py``), merge and
collision (``identity_vigilance.py``), and here creation, traits, document check
and attributes. A merged (inactive) identity refuses every change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from identito.domain.documents import DocumentCheck, DocumentType, Validation
from identito.domain.errors import InvalidInput, InvalidTransition, PermissionDenied
from identito.domain.events import AuditAction
from identito.domain.identity_ins import InsRules
from identito.domain.identity_state import IdentityState, InsHistoryEntry
from identito.domain.identity_vigilance import VigilanceRules
from identito.domain.insi import CollectionMethod
from identito.domain.nss import Nss
from identito.domain.status import (
    IdentityAttribute,
    IdentityStatus,
    StatusAction,
    check_attribute_combination,
)
from identito.domain.trait_set import STRICT_FIELDS, IdentityWarning, Traits
from identito.domain.traits import first_name_agrees

__all__ = ["Identity", "IdentityState", "InsHistoryEntry"]


class Identity(InsRules, VigilanceRules):
    """One person's record: its state (``IdentityState``) and every rule on it.

    The INS rules live in ``identity_ins.py``, merge and collision in
    ``identity_vigilance.py``; creation, traits, document check and attributes here.
    """

    # -- creation -------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        traits: Traits,
        warnings: tuple[IdentityWarning, ...],
        *,
        now: datetime,
        collection_method: CollectionMethod = CollectionMethod.MANUAL,
        received_from_other_domain: bool = False,
    ) -> Identity:
        """A new identity is provisional: no INSi recovery, no document check yet.

        ``collection_method`` says how its traits were collected: typed (``SM``),
        read from an INS DataMatrix (``CB``), a Vitale card, an INSi answer...
        ``received_from_other_domain``: created from a message of another
        identification domain (PAM FR 0445 ``RECD``).
        """
        identity = cls(
            traits=traits,
            warnings=warnings,
            collection_method=collection_method,
            created_at=now,
            updated_at=now,
            received_from_other_domain=received_from_other_domain,
        )
        identity._record(
            AuditAction.IDENTITY_CREATED,
            after=identity.snapshot(),
            details={"method": collection_method.value},
        )
        return identity

    @classmethod
    def import_row(
        cls,
        traits: Traits,
        warnings: tuple[IdentityWarning, ...],
        *,
        now: datetime,
        line: int,
        job: str | None = None,
    ) -> Identity:
        """A new identity read from line ``line`` of an import file (job ``job``):
        recorded as ``identity.imported``, which names the job and the line."""
        method = CollectionMethod.MANUAL
        identity = cls(traits=traits, warnings=warnings, collection_method=method,
                       created_at=now, updated_at=now)  # fmt: skip
        details: dict[str, object] = {"method": method.value, "line": line}
        if job is not None:
            details["import_job"] = job
        identity._record(AuditAction.IDENTITY_IMPORTED, after=identity.snapshot(), details=details)
        return identity

    # -- trait changes ------------------------------------------------------------------

    def change_traits(
        self,
        traits: Traits,
        warnings: tuple[IdentityWarning, ...],
        *,
        may_change_protected: bool,
        now: datetime,
        document: DocumentCheck | None = None,
        document_types: Mapping[str, DocumentType] | None = None,
        actor: str = "",
        reason: str | None = None,
    ) -> tuple[str, ...]:
        """Replace the traits; return the changed fields.

        A change of strict traits takes away the proof it no longer supports:
        on a RECUP or QUAL identity it needs the protected permission and
        invalidates the matricule; on a VALI or QUAL identity it withdraws the
        document check (VALI -> PROV, QUAL -> PROV), unless ``document`` records a
        document checked in the same change (then VALI, or QUAL -> VALI). The
        first birth first name alone stays editable while it agrees with the list
        (R-MO-08). ``reason`` (already checked: ``change_reason``) is traced on the
        ``identity.traits_changed`` row, in its reason and in ``details["reason"]``. Every
        change reaches the receivers (R-MO-05, ``_propagate_traits_alone``).
        """
        self._ensure_active()
        changed = self.traits.changed_fields(traits)
        if not changed:
            return changed
        strict = self._strict_changes(traits, changed)
        protected = strict if self.status.has_ins else ()
        self._check_change_allowed(protected, may_change_protected)
        types = document_types or {}
        if document is not None:  # refused before anything changes
            self._ensure_may_validate()
            document.checked(types, now.date())
        before = self.snapshot()
        self.traits, self.warnings = traits, warnings
        details: dict[str, Any] = {"fields": list(changed)}
        if reason is not None:
            details["reason"] = reason
        self._record(
            AuditAction.TRAITS_CHANGED,
            before=before,
            after=self.snapshot(),
            reason=reason,
            details=details,
        )
        position = len(self.events) - 1
        reason = f"traits stricts modifiés : {', '.join(strict)}"
        if protected:
            self.invalidate_ins(reason=reason, now=now)
        if document is not None:
            expiry, tolerance = document.document_expiry, document.expired_tolerance_days
            self.validate(
                document.document_type, expiry, document_types=types, actor=actor, now=now,
                expired_tolerance_days=tolerance,
            )  # fmt: skip
        elif strict and self.validation is not None:
            self._withdraw_document_check(reason, now)
        self._propagate_traits_alone(position)
        self.updated_at = now
        return changed

    def _propagate_traits_alone(self, position: int) -> None:
        """R-MO-05: receivers learn every strict or complementary trait change. When the
        change also moved the INS or the status, the events after it already carry the
        new traits (A47/A31 of the current state); else the trait change itself is
        propagated (an A31)."""
        if not any(event.propagate for event in self.events[position + 1 :]):
            self.events[position] = replace(self.events[position], propagate=True)

    def _check_change_allowed(self, protected: tuple[str, ...], may_change_protected: bool) -> None:
        if protected and not may_change_protected:
            fields = ", ".join(protected)
            raise PermissionDenied(
                "identity:update-protected",
                f"Les traits stricts ({fields}) d'une {self.status.label.lower()} ne peuvent "
                "être modifiés qu'avec l'habilitation dédiée (cellule d'identitovigilance).",
            )

    def _strict_changes(self, traits: Traits, changed: Iterable[str]) -> tuple[str, ...]:
        strict = [f for f in changed if f in STRICT_FIELDS]
        if strict == ["first_birth_first_name"] and first_name_agrees(
            traits.first_birth_first_name, traits.birth_first_names
        ):
            return ()
        return tuple(strict)

    # -- billing social-security number ----------------------------------------------------

    def change_nss(self, nss: Nss | None, *, now: datetime) -> bool:
        """Set, change or remove the billing NSS; return whether it changed.

        R-TR-20: the NSS is kept apart from the matricule INS. It moves neither the
        status nor the INS (a NIR typed here is never an INS, even when its digits
        equal the matricule's); receivers learn it like a trait change (A31).
        """
        self._ensure_active()
        if nss == self.nss:
            return False
        before = self.snapshot()
        self.nss, self.updated_at = nss, now
        self._record(AuditAction.NSS_CHANGED, before=before, after=self.snapshot(), propagate=True)
        return True

    def mark_linked_in_other_domain(self, *, now: datetime, sender: str) -> bool:
        """A message of another identification domain was integrated into this existing
        identity (a rapprochement): marked ``IDRA`` (R-LK-02, PAM FR table 0445), kept
        and propagated (A31, PID-32). Return whether the mark is new.

        An identity *created* from such a message is ``RECD`` instead (``create``).
        """
        self._ensure_active()
        if self.linked_in_other_domain:
            return False
        before = self.snapshot()
        self.linked_in_other_domain, self.updated_at = True, now
        self._record(
            AuditAction.LINKED_IN_OTHER_DOMAIN,
            before=before,
            after=self.snapshot(),
            reason=f"Rapprochée d'une identité du domaine {sender}",
            propagate=True,
            details={"sender": sender},
        )
        return True

    # -- validation (document check) ---------------------------------------------------

    def validate(
        self,
        document_code: str | None,
        document_expiry: date | None,
        *,
        document_types: Mapping[str, DocumentType],
        actor: str,
        now: datetime,
        expired_tolerance_days: int = 0,
    ) -> None:
        """Record a high-trust document check: PROV -> VALI, RECUP -> QUAL.

        An expired document does not validate unless the administrator's tolerance
        (``expired_tolerance_days``) covers it.
        """
        self._ensure_may_validate()
        check = DocumentCheck(document_code, document_expiry, expired_tolerance_days)
        document = check.checked(document_types, now.date())
        self._recheck_confirmation(now)  # a RECUP with an uncertain date or sex I: PROV first
        before = self.snapshot()
        self._move(StatusAction.CHECK_DOCUMENT)
        self.validation = Validation(document.code, document_expiry, now, actor)
        self.updated_at = now
        self._record(
            AuditAction.IDENTITY_VALIDATED,
            before=before,
            after=self.snapshot(),
            propagate=self.status is not IdentityStatus(before["status"]),  # RECUP -> QUAL
        )

    def _ensure_may_validate(self) -> None:
        self._ensure_active()
        if self.blocks_ins:
            raise InvalidTransition(
                "Validation impossible : l'identité est douteuse ou fictive.",
                rule="validation_blocked_by_attribute",
            )

    # -- attributes ------------------------------------------------------------------------

    def change_attributes(
        self,
        add: Iterable[IdentityAttribute],
        remove: Iterable[IdentityAttribute],
        *,
        now: datetime,
        reason: str | None = None,
    ) -> None:
        """Add or remove attributes. DOUT or FICT force PROV and invalidate the INS."""
        self._ensure_active()
        to_add, to_remove = frozenset(add), frozenset(remove)
        if to_add & to_remove:
            raise InvalidInput.single(
                "attributes",
                "add_and_remove",
                "Un attribut ne peut être ajouté et retiré à la fois.",
            )
        new = (self.attributes | to_add) - to_remove
        check_attribute_combination(new)
        if new == self.attributes:
            return
        before = self.snapshot()
        self.attributes = new
        if self.blocks_ins:
            self._force_provisional(now)
        self.updated_at = now
        self._record(
            AuditAction.ATTRIBUTES_CHANGED,
            before=before,
            after=self.snapshot(),
            reason=reason,
            propagate=self.status is not IdentityStatus(before["status"]),
        )

    def _force_provisional(self, now: datetime) -> None:
        self._move(StatusAction.FORCE_PROVISIONAL)
        if self.ins is not None:
            self._archive_ins("identité douteuse ou fictive", now)
        self._clear_ins()
        self.validation = None
