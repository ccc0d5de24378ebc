"""What a received message says, before any rule is applied (HL7 v2 PAM FR, FHIR).

The parsers (``messages.hl7v2_reception``, ``messages.fhir_reception``) produce a
``Reception``; the rules (``services.reception``) answer a ``ReceptionResult``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from identito.domain.facility import ModifyingEntity
from identito.domain.identifiers import not_an_ins
from identito.domain.interface_accounts import matches_domain
from identito.services.verification_records import ReceptionOutcome

REMOVED = "[matricule non conservé]"
QUALIFIED_SENDER_STATUSES = ("VALI", "QUAL")
MERGE_EVENT, INS_CHANGE_EVENT = "A40", "A47"


@dataclass(frozen=True)
class TransmittedIns:
    number: str
    oid: str


NIR_OID = "1.2.250.1.213.1.4.8"


def preferred_ins(found: list[TransmittedIns]) -> TransmittedIns | None:
    """The NIR (OID …4.8) over the NIA whatever the order of the repetitions (PAM FR
    §4.4.1: the receiver picks the NIR when both are sent), then any other identifier
    not known as a non-INS, else the first one: an INS-C or an NSS sent beside a true
    INS is left aside, sent alone it is refused with its reason (R-TR-19)."""
    usable = [i for i in found if not_an_ins(i.oid) is None]
    candidates = usable or found
    return next((i for i in usable if i.oid == NIR_OID), candidates[0] if candidates else None)


@dataclass(frozen=True)
class Sender:
    application: str | None
    facility: str | None = None


@dataclass(frozen=True)
class ReceivedIdentity:
    """What a message says of one person, before any rule is applied."""

    traits: dict[str, Any]  # raw trait input, as for creating an identity
    ins: TransmittedIns | None = None
    sender_status: str | None = None  # PID-32 first repetition, FHIR identityStatus
    attributes: tuple[str, ...] = ()
    local_id: str | None = None  # the sender's own identifier (IPP)
    document_type: str | None = None  # ZFD-7, FHIR validationMode
    document_expiry: date | None = None  # ZFD-8
    #: The entity that last changed the identity in a GHT (PID-34, R-LK-03).
    modifying_entity: ModifyingEntity | None = None

    @property
    def qualified_by_sender(self) -> bool:
        return self.ins is not None and self.sender_status in QUALIFIED_SENDER_STATUSES


@dataclass(frozen=True)
class Reception:
    channel: str  # hl7v2, fhir
    content: str  # the message exactly as received
    sender: Sender
    event: str | None = None  # A28, A31, ... or "POST"/"PUT"
    control_id: str | None = None
    identity: ReceivedIdentity | None = None
    replaced_ins: TransmittedIns | None = None  # MRG-1 of an A40/A47
    merged_patient_id: str | None = None  # MRG-1 of an A40: the sender's id of the merged one


@dataclass(frozen=True)
class ReceptionResult:
    outcome: ReceptionOutcome
    message_id: UUID
    identity_id: UUID | None = None
    detail: str | None = None
    entry_id: UUID | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)


def in_own_domain(sender: Sender, patterns: list[str]) -> bool:
    """``APP^FACILITY`` patterns (``*`` for any part), or a bare application name."""
    return any(matches_domain(p, sender.application, sender.facility) for p in patterns)


def redact(reception: Reception) -> str:
    """The message without the transmitted matricules (never stored unless integrated)."""
    content = reception.content
    for ins in (reception.identity.ins if reception.identity else None, reception.replaced_ins):
        if ins is not None and ins.number.strip():
            content = content.replace(ins.number, REMOVED)
    return content


def sender_key(sender: Sender) -> str:
    """The sender's identification domain as ``sender_patients`` stores it: ``APP^FACILITY``,
    upper case, an absent part empty (migration 0018 copies this)."""
    app, facility = (sender.application or "").strip(), (sender.facility or "").strip()
    return f"{app.upper()}^{facility.upper()}"


def sender_label(sender: Sender) -> str:
    return "^".join(p for p in (sender.application, sender.facility) if p) or "inconnu"
