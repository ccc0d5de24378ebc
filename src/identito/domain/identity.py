"""The Identity aggregate: every INS rule on one identity is a method here.

Methods check the rules, move the status through ``status.TRANSITIONS`` and
record past-tense events; the unit of work turns events into audit rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any
from uuid import UUID

from identito.domain.documents import DocumentType, Validation, high_trust_document
from identito.domain.errors import InvalidInput, InvalidTransition, PermissionDenied
from identito.domain.events import AuditAction, Event
from identito.domain.identifiers import Ins
from identito.domain.ids import new_id
from identito.domain.insi import CollectionMethod, InsiAnswer, ReceivedIns, received_traits
from identito.domain.status import (
    IdentityAttribute,
    IdentityStatus,
    StatusAction,
    check_attribute_combination,
    next_status,
    status_of,
)
from identito.domain.trait_set import (
    STRICT_FIELDS,
    IdentityWarning,
    Traits,
    WarningCode,
    trait_warnings,
)
from identito.domain.traits import first_name_agrees


@dataclass(frozen=True)
class InsHistoryEntry:
    """A matricule the identity carried before, and why it stopped."""

    ins: Ins
    ended_at: datetime
    reason: str


@dataclass
class Identity:
    traits: Traits
    warnings: tuple[IdentityWarning, ...] = ()
    id: UUID = field(default_factory=new_id)
    version: int = 1
    status: IdentityStatus = IdentityStatus.PROVISIONAL
    attributes: frozenset[IdentityAttribute] = frozenset()
    ins: Ins | None = None
    ins_retrieved_at: datetime | None = None
    ins_history: tuple[InsHistoryEntry, ...] = ()
    #: How the traits were collected at creation (``SM``, ``CB``...; None before 0006).
    collection_method: CollectionMethod | None = None
    #: How the INS was collected (``INSI``) and, from INSi, its INSHISTO as received.
    ins_collection_method: CollectionMethod | None = None
    insi_history: tuple[ReceivedIns, ...] = ()
    validation: Validation | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    #: False once merged into another identity (annotation DESA), kept for history.
    active: bool = True
    merged_into: UUID | None = None
    events: list[Event] = field(default_factory=list, compare=False, repr=False)

    # -- creation -------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        traits: Traits,
        warnings: tuple[IdentityWarning, ...],
        *,
        now: datetime,
        collection_method: CollectionMethod = CollectionMethod.MANUAL,
    ) -> Identity:
        """A new identity is provisional: no INSi recovery, no document check yet.

        ``collection_method`` says how its traits were collected: typed (``SM``),
        read from an INS DataMatrix (``CB``), a Vitale card, an INSi answer...
        """
        identity = cls(
            traits=traits,
            warnings=warnings,
            collection_method=collection_method,
            created_at=now,
            updated_at=now,
        )
        identity._record(
            AuditAction.IDENTITY_CREATED,
            after=identity.snapshot(),
            details={"method": collection_method.value},
        )
        return identity

    @property
    def diffused_collection_method(self) -> CollectionMethod | None:
        """The method the formats carry: ``INSI`` while an INSi INS is held, else the creation's."""
        return self.ins_collection_method or self.collection_method

    # -- queries ----------------------------------------------------------------------

    @property
    def blocks_ins(self) -> bool:
        """Doubtful or fictitious: no validation, no INS, no INSi call."""
        return any(a.forces_provisional for a in self.attributes)

    def snapshot(self) -> dict[str, Any]:
        """A JSON-ready picture of the identity for audit rows."""
        return {
            **self.traits.as_dict(),
            "status": self.status.value,
            "attributes": sorted(a.value for a in self.attributes),
            "ins": _ins_dict(self.ins),
            "validation": _validation_dict(self.validation),
        }

    def check_invariants(self) -> None:
        """The stored status always agrees with the facts it is a function of."""
        expected = status_of(
            ins_retrieved=self.ins is not None, document_checked=self.validation is not None
        )
        assert self.status is expected, (self.status, expected)
        check_attribute_combination(self.attributes)
        assert not (self.blocks_ins and self.status is not IdentityStatus.PROVISIONAL)

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

    # -- INS -----------------------------------------------------------------------------

    def ensure_insi_call_allowed(self) -> None:
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

    def _archive_ins(self, reason: str, now: datetime) -> None:
        assert self.ins is not None
        self.ins_history = (*self.ins_history, InsHistoryEntry(self.ins, now, reason))

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
        self.ins = self.ins_retrieved_at = self.validation = None
        self.ins_collection_method, self.insi_history = None, ()

    # -- merge (issue 7) -----------------------------------------------------------------------

    def merge_into(self, survivor: Identity, *, merge_id: UUID, now: datetime) -> None:
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

    def _check_merge(self, survivor: Identity) -> None:
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
        self, before: Mapping[str, Any], survivor: Identity, *, merge_id: UUID, now: datetime
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

    # -- internals ---------------------------------------------------------------------------

    def _move(self, action: StatusAction) -> None:
        self.status = next_status(self.status, action)

    def _record(self, action: AuditAction, **kwargs: Any) -> None:
        self.events.append(Event(action, **kwargs))

    def pop_events(self) -> list[Event]:
        events, self.events = self.events, []
        return events

    def with_version(self, version: int) -> Identity:
        return replace(self, version=version)


def _ins_dict(ins: Ins | None) -> dict[str, str] | None:
    if ins is None:
        return None
    return {"number": ins.number.number, "oid": ins.oid.value, "kind": ins.kind.value}


def _validation_dict(validation: Validation | None) -> dict[str, str | None] | None:
    if validation is None:
        return None
    return {
        "document_type": validation.document_type,
        "document_expiry": (
            validation.document_expiry.isoformat() if validation.document_expiry else None
        ),
        "validated_at": validation.validated_at.isoformat(),
        "validated_by": validation.validated_by,
    }
