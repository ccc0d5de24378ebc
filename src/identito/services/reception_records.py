"""Records of the messages received from other software and the port that logs them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol
from uuid import UUID

from identito.domain.ids import new_id


class ReceptionOutcome(StrEnum):
    INTEGRATED = "integrated"  # created or linked, with the INS
    INTEGRATED_WITHOUT_INS = "integrated_without_ins"
    PENDING = "pending"  # verification KO or impossible: waits in the "à traiter" list
    REJECTED = "rejected"  # malformed: nothing changed
    TRACED = "traced"  # event recorded only (merge, INS change: handled by a person)
    APPLIED = "applied"  # an update or INS change applied to a known identity


@dataclass(frozen=True)
class ReceivedMessage:
    """A received message and what became of it (the raw text, redacted when its
    matricule was not integrated)."""

    channel: str  # hl7v2, fhir
    received_at: datetime
    content: str
    outcome: ReceptionOutcome
    sender_application: str | None = None
    sender_facility: str | None = None
    event: str | None = None
    control_id: str | None = None
    own_domain: bool = False
    identity_id: UUID | None = None
    detail: str | None = None
    patient_id: str | None = None  # the sender's own identifier of the patient (IPP)
    #: The entity that last changed the identity (HL7 PID-34, R-LK-03): name, FINESS.
    modifying_entity_name: str | None = None
    modifying_entity_finess: str | None = None
    id: UUID = field(default_factory=new_id)


@dataclass(frozen=True)
class StoredAck:
    """The ACK answered to a message, kept for its copies (``services.reception_acks``)."""

    sender: str  # reception_model.sender_key
    control_id: str  # MSH-10
    digest: str  # SHA-256 of the message as received
    code: str  # AA, AE, AR
    ack: str
    answered_at: datetime


class ReceivedConcurrently(Exception):
    """A concurrent copy of the message (or of the same person) was integrated first: the
    unit of work is rolled back and the message received again (``services.reception``),
    which then finds what the first one created, as a copy received later would."""


class PatientAlreadyLinked(ReceivedConcurrently):
    """A concurrent message of the same sender's patient identifier was integrated into
    another identity first (``sender_patients``' key): the unit of work is rolled back
    and the message received again (``services.reception``)."""


class ReceptionLog(Protocol):
    def add(self, message: ReceivedMessage) -> None: ...

    def get(self, message_id: UUID) -> ReceivedMessage: ...

    def for_identity(self, identity_id: UUID) -> list[ReceivedMessage]: ...

    def identity_for_patient(
        self, application: str | None, facility: str | None, patient_id: str
    ) -> UUID | None:
        """The identity linked to this sender's patient identifier (``linked_identity``),
        else the one the latest message of this sender about this patient concerned."""
        ...

    def linked_identity(self, sender: str, patient_id: str) -> UUID | None:
        """The identity the sender's (``reception_model.sender_key``) patient id is linked to."""
        ...

    def patients_of(self, identity_id: UUID) -> list[tuple[str, str]]:
        """The (sender, patient id) pairs linked to the identity, sorted (R-LK-01)."""
        ...

    def link_patient(self, sender: str, patient_id: str, identity_id: UUID, at: datetime) -> None:
        """Link the patient id to the identity unless already linked (the first link
        stays); raise ``PatientAlreadyLinked`` when a concurrent writer linked it first."""
        ...

    def stored_ack(self, sender: str, control_id: str) -> StoredAck | None:
        """The ACK kept for this sender's control id, if any."""
        ...

    def keep_ack(self, ack: StoredAck, *, replace_before: datetime) -> StoredAck:
        """Keep ``ack`` unless the ACK of the same message (sender, control id, digest)
        is kept since ``replace_before``; return the one kept (of concurrent copies of
        one message, the first wins)."""
        ...
