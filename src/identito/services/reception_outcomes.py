"""How a received message ends: stored with its outcome, audited, maybe put in a worklist.

``ReceptionRecorder`` holds what every reception step needs (the message, the
sender's domain, the unit of work) and writes the outcomes; ``ReceptionFlow``
(``services.reception``) adds the rules. Every message is stored
(``received_messages``), redacted of its matricules unless they were integrated.
When the identity a message names was merged into another, the message is applied
to the survivor and the redirection is written in the trace (``redirected_from``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import Any
from uuid import UUID

from identito.domain.events import AuditAction
from identito.domain.ins_uniqueness import InsAlreadyHeld
from identito.domain.permissions import Actor
from identito.domain.status import IdentityAttribute
from identito.services.comparison import Comparison
from identito.services.ins_refusals import refusal_audit, refuse_held_ins
from identito.services.insi_integration import add_trace
from identito.services.insi_records import InsiCall
from identito.services.reception_model import (
    REMOVED,
    Reception,
    ReceptionResult,
    redact,
    sender_key,
    sender_label,
)
from identito.services.rules import Rules
from identito.services.teleservice import Teleservice
from identito.services.unit_of_work import AuditEntry, UnitOfWork
from identito.services.verification_records import (
    EntryKind,
    ReceivedMessage,
    ReceptionOutcome,
    VigilanceEntry,
)

#: Outcomes that tie the sender's patient identifier to the identity (``sender_patients``).
LINKING = (
    ReceptionOutcome.INTEGRATED,
    ReceptionOutcome.INTEGRATED_WITHOUT_INS,
    ReceptionOutcome.APPLIED,
)


@dataclass
class ReceptionRecorder:
    reception: Reception
    own: bool
    uow: UnitOfWork
    actor: Actor
    rules: Rules
    teleservice: Teleservice | None
    #: Merged identities the message named, in the order their ``merged_into`` was followed.
    redirected_from: list[UUID] = field(default_factory=list)
    #: The identity attributes the message carries (DOUT / FICT / HOMA), once read.
    attributes: frozenset[IdentityAttribute] = frozenset()
    #: A creation that meets a concurrent copy's raises ``ReceivedConcurrently`` (retried).
    may_retry: bool = False

    def to_handle(
        self,
        detail: str,
        *,
        traced: bool = False,
        identity_id: UUID | None = None,
        comparison: Comparison | None = None,
    ) -> ReceptionResult:
        """Kept for the "à traiter" worklist; ``identity_id`` when the message is about
        a known identity (then nothing of it was applied); ``comparison``: its strict
        traits beside the received ones (``local`` / ``insi`` sides, as in the INSi
        comparison window)."""
        now = self.rules.now()
        outcome = ReceptionOutcome.TRACED if traced else ReceptionOutcome.PENDING
        with self.uow:
            result = self.write(outcome, detail, identity_id, keep_ins=traced)
            received = self.reception.identity
            summary: dict[str, Any] = {
                "reason": result.detail,
                "sender": sender_label(self.reception.sender),
                "event": self.reception.event,
                "traits": received.traits if received else {},
            }
            if received is not None and received.modifying_entity is not None:
                summary["modifying_entity"] = received.modifying_entity.label
            if comparison is not None:
                summary["comparison"] = comparison.as_dict()
            entry = VigilanceEntry(
                EntryKind.RECEPTION,
                now,
                summary,
                identity_id=identity_id,
                message_id=result.message_id,
            )
            self.uow.vigilance.add(entry)
            self.uow.commit(self.actor, now)
        return replace(result, entry_id=entry.id)

    def log(self, outcome: ReceptionOutcome, detail: str, *, keep_ins: bool) -> ReceptionResult:
        now = self.rules.now()
        with self.uow:
            result = self.write(outcome, detail, None, keep_ins=keep_ins)
            self.uow.commit(self.actor, now)
        return result

    def write(
        self, outcome: ReceptionOutcome, detail: str, identity_id: UUID | None, *, keep_ins: bool
    ) -> ReceptionResult:
        """Inside an open unit of work: store the message and audit its outcome."""
        now, reception = self.rules.now(), self.reception
        content = reception.content if keep_ins else redact(reception)
        detail = self._redirection_note(identity_id) + detail
        entity = reception.identity.modifying_entity if reception.identity else None
        message = ReceivedMessage(
            channel=reception.channel,
            received_at=now,
            content=content,
            outcome=outcome,
            sender_application=reception.sender.application,
            sender_facility=reception.sender.facility,
            event=reception.event,
            control_id=reception.control_id,
            own_domain=self.own,
            identity_id=identity_id,
            detail=detail,
            patient_id=reception.identity.local_id if reception.identity else None,
            modifying_entity_name=entity.name if entity else None,
            modifying_entity_finess=entity.finess if entity else None,
        )
        self.uow.receptions.add(message)
        if identity_id is not None and outcome in LINKING and message.patient_id:
            key = sender_key(reception.sender)
            self.uow.receptions.link_patient(key, message.patient_id, identity_id, now)
        details: dict[str, Any] = {
            "message_id": str(message.id),
            "sender": sender_label(reception.sender),
            "own_domain": self.own,
            "outcome": outcome.value,
            "event": reception.event,
        }
        if entity is not None:
            details["modifying_entity"] = entity.label
        if self.redirected_from:
            details["redirected_from"] = [str(i) for i in self.redirected_from]
        action = (
            AuditAction.IDENTITY_RECEIVED
            if identity_id is not None
            else AuditAction.MESSAGE_RECEIVED
        )
        self.uow.add_audit(
            AuditEntry(
                self.actor.username, now, action, identity_id, reason=detail, details=details
            )
        )
        return ReceptionResult(outcome, message.id, identity_id, detail)

    def refuse_held(self, error: InsAlreadyHeld, identity_id: UUID | None) -> InsAlreadyHeld:
        """Inside the open unit of work of a refused matricule (R-DU-03): rolled back, then
        the pair listed and the message stored refused (redacted), together; the entry
        point answers the returned error (HL7 NACK, FHIR OperationOutcome)."""

        def trace(refused: InsAlreadyHeld) -> None:
            self.write(ReceptionOutcome.REJECTED, refused.message, identity_id, keep_ins=False)
            self.uow.add_audit(refusal_audit(refused, actor=self.actor, now=self.rules.now()))

        return refuse_held_ins(
            error, uow=self.uow, actor=self.actor, now=self.rules.now(), trace=trace
        )

    def _redirection_note(self, identity_id: UUID | None) -> str:
        if not self.redirected_from or identity_id is None:
            return ""
        named = self.redirected_from[0]
        return (
            f"Identité {named} fusionnée : message appliqué à l'identité conservée {identity_id}. "
        )

    def trace_call(self, call: InsiCall, *, keep_raw: bool) -> None:
        """The verification call of a refused INS, without its matricule."""
        if not keep_raw:
            digest = hashlib.sha256(call.request or b"").hexdigest()
            query = {**call.query, "ins_number": REMOVED, "request_sha256": digest}
            call = replace(call, query=query, request=None, response=None)
        now = self.rules.now()
        with self.uow:
            add_trace(call, self.uow)
            self.uow.commit(self.actor, now)
