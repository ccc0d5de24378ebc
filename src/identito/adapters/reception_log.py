"""SQL log of the messages received from other software (migration ``0005``)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from identito.adapters.orm import hl7_acks, received_messages, sender_patients
from identito.domain.errors import NotFound
from identito.services.reception_model import Sender, sender_key
from identito.services.reception_records import (
    PatientAlreadyLinked,
    ReceivedMessage,
    ReceptionOutcome,
    StoredAck,
)


class SqlReceptionLog:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, message: ReceivedMessage) -> None:
        row = {**vars(message), "outcome": message.outcome.value}
        self.connection.execute(insert(received_messages).values(row))

    def get(self, message_id: UUID) -> ReceivedMessage:
        query = select(received_messages).where(received_messages.c.id == message_id)
        row = self.connection.execute(query).mappings().first()
        if row is None:
            raise NotFound(f"Message reçu inconnu : {message_id}.")
        return ReceivedMessage(**{**row, "outcome": ReceptionOutcome(row["outcome"])})

    def for_identity(self, identity_id: UUID) -> list[ReceivedMessage]:
        t = received_messages
        query = select(t).where(t.c.identity_id == identity_id).order_by(t.c.received_at)
        return [
            ReceivedMessage(**{**row, "outcome": ReceptionOutcome(row["outcome"])})
            for row in self.connection.execute(query).mappings()
        ]

    def identity_for_patient(
        self, application: str | None, facility: str | None, patient_id: str
    ) -> UUID | None:
        linked = self.linked_identity(sender_key(Sender(application, facility)), patient_id)
        if linked is not None:
            return linked
        t = received_messages
        query = (
            select(t.c.identity_id)
            .where(
                t.c.patient_id == patient_id,
                t.c.sender_application.is_not_distinct_from(application),
                t.c.sender_facility.is_not_distinct_from(facility),
                t.c.identity_id.is_not(None),
            )
            .order_by(t.c.received_at.desc())
            .limit(1)
        )
        found: UUID | None = self.connection.execute(query).scalar()
        return found

    def linked_identity(self, sender: str, patient_id: str) -> UUID | None:
        t = sender_patients
        query = select(t.c.identity_id).where(t.c.sender == sender, t.c.patient_id == patient_id)
        found: UUID | None = self.connection.execute(query).scalar()
        return found

    def patients_of(self, identity_id: UUID) -> list[tuple[str, str]]:
        t = sender_patients
        query = (
            select(t.c.sender, t.c.patient_id)
            .where(t.c.identity_id == identity_id)
            .order_by(t.c.sender, t.c.patient_id)
        )
        return [(row.sender, row.patient_id) for row in self.connection.execute(query)]

    def link_patient(self, sender: str, patient_id: str, identity_id: UUID, at: datetime) -> None:
        """The primary key (sender, patient_id) makes a concurrent second link fail: on
        PostgreSQL the insert waits for the first writer's commit, then is refused."""
        if self.linked_identity(sender, patient_id) is not None:
            return
        row = {"sender": sender, "patient_id": patient_id, "identity_id": identity_id,
               "linked_at": at}  # fmt: skip
        try:
            self.connection.execute(insert(sender_patients).values(row))
        except IntegrityError as error:
            raise PatientAlreadyLinked(f"{sender} {patient_id}") from error

    def stored_ack(self, sender: str, control_id: str) -> StoredAck | None:
        t = hl7_acks
        query = select(t).where(t.c.sender == sender, t.c.control_id == control_id)
        row = self.connection.execute(query).mappings().first()
        return None if row is None else StoredAck(**row)

    def keep_ack(self, ack: StoredAck, *, replace_before: datetime) -> StoredAck:
        """On PostgreSQL a concurrent insert of the same key waits for the first
        writer's commit, then fails: the savepoint is rolled back and the first read."""
        try:
            with self.connection.begin_nested():
                self.connection.execute(insert(hl7_acks).values(vars(ack)))
            return ack
        except IntegrityError:
            kept = self.stored_ack(ack.sender, ack.control_id)
        if kept is None or (kept.digest == ack.digest and kept.answered_at >= replace_before):
            return kept or ack
        # Replace what was read, only if no concurrent copy replaced it first (on PostgreSQL
        # a second UPDATE waits, then finds the row changed): that copy's ACK is the answer.
        t = hl7_acks
        same = (t.c.sender == ack.sender) & (t.c.control_id == ack.control_id)
        read = same & (t.c.digest == kept.digest) & (t.c.answered_at == kept.answered_at)
        if self.connection.execute(update(t).where(read).values(vars(ack))).rowcount == 1:
            return ack
        now_kept = self.stored_ack(ack.sender, ack.control_id)
        return now_kept if now_kept is not None and now_kept.digest == ack.digest else ack
