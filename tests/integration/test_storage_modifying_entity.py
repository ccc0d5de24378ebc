"""Issue 17 point 3 (R-LK-03) on SQLite and PostgreSQL: the modifying entity a received
message names in PID-34 is kept beside the message (migration 0028), told in the audit
row and in the "à traiter" entry; an older message keeps NULL after the migration."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from migration_support import upgrade, with_engine
from sqlalchemy import insert, inspect, select

from identito.adapters.orm import received_messages
from identito.domain.events import AuditAction
from identito.domain.facility import ModifyingEntity
from identito.services.reception import (
    ReceivedIdentity,
    Reception,
    Sender,
    TransmittedIns,
    receive_identity,
)
from identito.services.verification_records import EntryKind, ReceptionOutcome

START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
TRAITS = {
    "birth_name": "GHTNAME",
    "first_birth_first_name": "JEAN",
    "birth_first_names": "JEAN",
    "birth_date": "1980-03-01",
    "sex": "M",
    "birth_place_code": "2B020",
}
ENTITY = ModifyingEntity("CH-Y", "2A0000017")


def _receive(uow_factory, rules, admin, received):  # type: ignore[no-untyped-def]
    reception = Reception("hl7v2", "MSH|...", Sender("GAM", "CH-Y"), "A28", "1", received)
    return receive_identity(
        reception, own_domain=[], uow=uow_factory(), actor=admin, rules=rules, teleservice=None
    )


def test_the_modifying_entity_of_pid_34_is_kept_with_the_received_message(
    uow_factory, rules, admin
):
    received = ReceivedIdentity(dict(TRAITS), local_id="IPP-GHT", modifying_entity=ENTITY)
    result = _receive(uow_factory, rules, admin, received)
    assert result.outcome is ReceptionOutcome.INTEGRATED_WITHOUT_INS
    with uow_factory() as uow:
        message = uow.receptions.get(result.message_id)
        audit = [e for e in uow.audit.for_identity(result.identity_id)
                 if e.action is AuditAction.IDENTITY_RECEIVED]  # fmt: skip
    assert (message.modifying_entity_name, message.modifying_entity_finess) == (
        "CH-Y",
        "2A0000017",
    )
    assert audit[-1].details["modifying_entity"] == "CH-Y (FINESS 2A0000017)"


def test_a_message_without_pid_34_stores_null(uow_factory, rules, admin):
    received = ReceivedIdentity({**TRAITS, "birth_name": "GHTNONE"}, local_id="IPP-NONE")
    result = _receive(uow_factory, rules, admin, received)
    with uow_factory() as uow:
        message = uow.receptions.get(result.message_id)
    assert (message.modifying_entity_name, message.modifying_entity_finess) == (None, None)


def test_a_message_left_to_handle_names_the_modifying_entity_in_its_entry(
    uow_factory, rules, admin
):
    ins = TransmittedIns("180032B02040123", "1.2.250.1.213.1.4.8")
    first = ReceivedIdentity({**TRAITS, "birth_name": "GHTONE"}, ins, "VALI", local_id="A1")
    _receive(uow_factory, rules, admin, first)
    other = {**TRAITS, "birth_name": "GHTTWO", "first_birth_first_name": "ZOE",
             "birth_first_names": "ZOE", "sex": "F"}  # fmt: skip
    second = ReceivedIdentity(other, ins, "VALI", local_id="A2", modifying_entity=ENTITY)
    result = _receive(uow_factory, rules, admin, second)
    assert result.outcome is ReceptionOutcome.PENDING
    with uow_factory() as uow:
        entries = uow.vigilance.entries(EntryKind.RECEPTION)
    named = {e.summary["traits"]["birth_name"]: e.summary for e in entries}
    assert named["GHTTWO"]["modifying_entity"] == "CH-Y (FINESS 2A0000017)"
    assert "modifying_entity" not in named.get("GHTONE", {})


def test_migration_0028_adds_the_columns_and_older_messages_keep_null(fresh_url) -> None:
    upgrade(fresh_url, "0026")
    row: dict[str, Any] = {
        "id": uuid4(), "channel": "hl7v2", "received_at": START,
        "content": "MSH|...", "outcome": "integrated", "own_domain": False,
    }  # fmt: skip

    def seed(connection: Any) -> None:
        columns = {c["name"] for c in inspect(connection).get_columns("received_messages")}
        connection.execute(
            insert(received_messages), [{k: v for k, v in row.items() if k in columns}]
        )

    with_engine(fresh_url, seed)
    upgrade(fresh_url, "head")

    def read(connection: Any) -> Any:
        columns = {c["name"] for c in inspect(connection).get_columns("received_messages")}
        columns |= {c["name"] for c in inspect(connection).get_columns("identities")}
        t = received_messages
        kept = connection.execute(
            select(t.c.modifying_entity_name, t.c.modifying_entity_finess)
        ).one()
        return columns, tuple(kept)

    columns, kept = with_engine(fresh_url, read)
    assert {"modifying_entity_name", "modifying_entity_finess", "linked_in_other_domain"} <= columns
    assert kept == (None, None)
