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
from datetime import date, datetime

from identito.domain.documents import DocumentType, Validation, high_trust_document
from identito.domain.errors import InvalidInput, InvalidTransition, PermissionDenied
from identito.domain.events import AuditAction
from identito.domain.identity_ins import InsRules
from identito.domain.identity_state import IdentityState, InsHistoryEntry
from identito.domain.identity_vigilance import VigilanceRules
from identito.domain.insi import CollectionMethod
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

    # -- trait changes ------------------------------------------------------------------

    def change_traits(
        self,
        traits: Traits,
        warnings: tuple[IdentityWarning, ...],
        *,
        may_change_protected: bool,
        now: datetime,
    ) -> tuple[str, ...]:
        """Replace the traits; return the changed fields.

        Changing a strict trait of a RECUP or QUAL identity needs the protected
        permission and invalidates the matricule (RECUP -> PROV, QUAL -> VALI). The
        first birth first name stays editable while it agrees with the list.
        """
        self._ensure_active()
        changed = self.traits.changed_fields(traits)
        if not changed:
            return changed
        protected = self._protected_changes(traits, changed)
        if protected and not may_change_protected:
            fields = ", ".join(protected)
            raise PermissionDenied(
                "identity:update-protected",
                f"Les traits stricts ({fields}) d'une {self.status.label.lower()} ne peuvent "
                "être modifiés qu'avec l'habilitation dédiée (cellule d'identitovigilance).",
            )
        before = self.snapshot()
        self.traits, self.warnings = traits, warnings
        self._record(
            AuditAction.TRAITS_CHANGED,
            before=before,
            after=self.snapshot(),
            details={"fields": list(changed)},
        )
        if protected:
            self.invalidate_ins(reason=f"traits stricts modifiés : {', '.join(protected)}", now=now)
        self.updated_at = now
        return changed

    def _protected_changes(self, traits: Traits, changed: Iterable[str]) -> tuple[str, ...]:
        if not self.status.has_ins:
            return ()
        strict = [f for f in changed if f in STRICT_FIELDS]
        if strict == ["first_birth_first_name"] and first_name_agrees(
            traits.first_birth_first_name, traits.birth_first_names
        ):
            return ()
        return tuple(strict)

    # -- validation (document check) ---------------------------------------------------

    def validate(
        self,
        document_code: str | None,
        document_expiry: date | None,
        *,
        document_types: Mapping[str, DocumentType],
        actor: str,
        now: datetime,
    ) -> None:
        """Record a high-trust document check: PROV -> VALI, RECUP -> QUAL."""
        self._ensure_active()
        if self.blocks_ins:
            raise InvalidTransition(
                "Validation impossible : l'identité est douteuse ou fictive.",
                rule="validation_blocked_by_attribute",
            )
        document = high_trust_document(document_code, document_types)
        if document_expiry is None:
            raise InvalidInput.single(
                "document_expiry", "required", "La date d'expiration de la pièce est obligatoire."
            )
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
