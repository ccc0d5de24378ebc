"""The state of the Identity aggregate and the helpers every group of rules shares.

``Identity`` (``domain/identity.py``) is built from this state and two groups of
rules: the INS (``identity_ins.py``) and identity vigilance, i.e. merge and
collision (``identity_vigilance.py``). Import ``Identity`` from ``identity.py``.

A merged identity is inactive (annotation DESA), kept for history: every
mutating method starts with ``_ensure_active`` and refuses to change it, so that
an unmerge restores it exactly; only ``unmerge`` works on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Self
from uuid import UUID

from identito.domain.documents import Validation
from identito.domain.errors import InvalidTransition
from identito.domain.events import AuditAction, Event
from identito.domain.identifiers import Ins
from identito.domain.ids import new_id
from identito.domain.ins_source import TYPED_NOT_CONFIRMED, InsSource, confirmation_obstacles
from identito.domain.insi import CollectionMethod, ReceivedIns
from identito.domain.nss import Nss
from identito.domain.status import (
    CollisionLevel,
    IdentityAttribute,
    IdentityStatus,
    StatusAction,
    check_attribute_combination,
    next_status,
    status_of,
)
from identito.domain.trait_set import IdentityWarning, Traits

INACTIVE_MESSAGE = (
    "Cette identité a été fusionnée dans une autre (inactive, DESA) : elle ne peut plus "
    "être modifiée. Modifiez l'identité conservée, ou annulez d'abord la fusion."
)


@dataclass(frozen=True)
class InsHistoryEntry:
    """A matricule the identity carried before, and why it stopped."""

    ins: Ins
    ended_at: datetime
    reason: str
    #: Replaced by a newer matricule of the same person that INSi or the own domain
    #: gave (a NIA become NIR, a new NIR after a change of sex): diffused as a former
    #: matricule (FHIR ``use: old``, R-MO-05). False when it was removed as wrong.
    replaced: bool = False


@dataclass
class IdentityState:
    traits: Traits
    warnings: tuple[IdentityWarning, ...] = ()
    id: UUID = field(default_factory=new_id)
    version: int = 1
    status: IdentityStatus = IdentityStatus.PROVISIONAL
    attributes: frozenset[IdentityAttribute] = frozenset()
    ins: Ins | None = None
    #: When the matricule was collected: the INSi call, the reception, or the typing.
    ins_retrieved_at: datetime | None = None
    #: Who gave the matricule (INSi, own domain, typed) and whether it is confirmed:
    #: only a confirmed matricule makes the identity RECUP or QUAL (``domain.ins_source``).
    ins_source: InsSource | None = None
    ins_confirmed: bool = False
    ins_history: tuple[InsHistoryEntry, ...] = ()
    #: How the traits were collected at creation (``SM``, ``CB``...; None before 0006).
    collection_method: CollectionMethod | None = None
    #: How the INS was collected (``INSI``, ``SM`` when typed) and, from INSi, its
    #: INSHISTO as received.
    ins_collection_method: CollectionMethod | None = None
    insi_history: tuple[ReceivedIns, ...] = ()
    validation: Validation | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    #: False once merged into another identity (annotation DESA), kept for history.
    active: bool = True
    merged_into: UUID | None = None
    #: Two persons in one record (COLP / COLV): the matricule is not diffused meanwhile.
    collision: CollisionLevel | None = None
    #: Created from a message of another identification domain (PAM FR 0445 ``RECD``).
    received_from_other_domain: bool = False
    #: Linked (rapprochée) with a patient of another identification domain: a message of
    #: that domain was integrated into this existing identity (PAM FR 0445 ``IDRA``).
    linked_in_other_domain: bool = False
    #: The billing social-security number (NIR or NIA, the patient's or the ouvrant
    #: droit's): never an INS, never a status (R-TR-20, ``domain.nss``).
    nss: Nss | None = None
    events: list[Event] = field(default_factory=list, compare=False, repr=False)

    # -- queries ----------------------------------------------------------------------

    @property
    def diffused_collection_method(self) -> CollectionMethod | None:
        """The method the formats carry: ``INSI`` while an INSi INS is held, else the creation's."""
        return self.ins_collection_method or self.collection_method

    @property
    def holds_matricules(self) -> bool:
        """A matricule to show: current, former, or in INSi's INSHISTO, or a billing NSS
        (a NIR too, R-TR-20): a read of it is audited."""
        return (
            self.ins is not None
            or bool(self.ins_history)
            or bool(self.insi_history)
            or self.nss is not None
        )

    @property
    def ins_to_verify(self) -> bool:
        """A typed matricule waiting for an INSi verification ("INS saisi, à vérifier")."""
        return self.ins is not None and self.ins_source is InsSource.TYPED

    @property
    def ins_not_confirmed_because(self) -> tuple[str, ...]:
        """Why the held matricule does not make the identity RECUP/QUAL (French)."""
        if self.ins is None or self.ins_confirmed:
            return ()
        reasons = tuple(o.message for o in confirmation_obstacles(self.traits))
        return (TYPED_NOT_CONFIRMED, *reasons) if self.ins_to_verify else reasons

    @property
    def blocks_ins(self) -> bool:
        """Doubtful or fictitious: no validation, no INS, no INSi call."""
        return any(a.forces_provisional for a in self.attributes)

    def snapshot(self) -> dict[str, Any]:
        """A JSON-ready picture of the identity for audit rows.

        ``collision`` appears only when set, so the snapshots of merges recorded
        before collisions existed still compare equal.
        """
        picture = {
            **self.traits.as_dict(),
            "status": self.status.value,
            "attributes": sorted(a.value for a in self.attributes),
            "ins": _ins_dict(self.ins),
            "validation": _validation_dict(self.validation),
        }
        if self.collision is not None:
            picture["collision"] = self.collision.value
        if self.received_from_other_domain:
            picture["received_from_other_domain"] = True
        if self.linked_in_other_domain:
            picture["linked_in_other_domain"] = True
        if self.nss is not None:  # absent from older snapshots
            picture["nss"] = self.nss.as_dict()
        if self.ins is not None and not self.ins_confirmed:  # absent from older snapshots
            picture["ins_confirmed"] = False
            picture["ins_source"] = self.ins_source.value if self.ins_source else None
        return picture

    def check_invariants(self) -> None:
        """The stored status always agrees with the facts it is a function of."""
        expected = status_of(
            ins_confirmed=self.ins_confirmed, document_checked=self.validation is not None
        )
        assert self.status is expected, (self.status, expected)
        assert (self.ins is None) is (self.ins_source is None), (self.ins, self.ins_source)
        if self.ins_confirmed:
            assert self.ins_source is not None and self.ins_source.confirms
            assert not confirmation_obstacles(self.traits)
        check_attribute_combination(self.attributes)
        assert not (self.blocks_ins and self.status is not IdentityStatus.PROVISIONAL)

    # -- internals ---------------------------------------------------------------------

    def _ensure_active(self) -> None:
        """No change to a merged (inactive) identity: refused with a French message."""
        if not self.active:
            raise InvalidTransition(INACTIVE_MESSAGE, rule="identity_inactive")

    def _move(self, action: StatusAction) -> None:
        self.status = next_status(self.status, action)

    def _record(self, action: AuditAction, **kwargs: Any) -> None:
        self.events.append(Event(action, **kwargs))

    def _withdraw_document_check(self, reason: str, now: datetime) -> None:
        """The document check no longer holds (the checked document showed other strict
        traits, or the own domain withdrew it): VALI -> PROV, QUAL -> RECUP."""
        before = self.snapshot()
        self._move(StatusAction.WITHDRAW_DOCUMENT_CHECK)
        self.validation, self.updated_at = None, now
        self._record(
            AuditAction.STATUS_CHANGED,
            before=before,
            after=self.snapshot(),
            reason=f"{reason} : contrôle de pièce d'identité à refaire",
            propagate=True,
            details={"document_check_withdrawn": True},
        )

    def _archive_ins(self, reason: str, now: datetime, *, replaced: bool = False) -> None:
        assert self.ins is not None
        entry = InsHistoryEntry(self.ins, now, reason, replaced)
        self.ins_history = (*self.ins_history, entry)

    def _clear_ins(self) -> None:
        """No matricule any more: nor its source, collection method, date or INSHISTO."""
        self.ins, self.ins_source, self.ins_confirmed, self.ins_retrieved_at = (
            None,
            None,
            False,
            None,
        )
        self.ins_collection_method, self.insi_history = None, ()

    def pop_events(self) -> list[Event]:
        events, self.events = self.events, []
        return events

    def with_version(self, version: int) -> Self:
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
